import http from 'http';
import type { AddressInfo } from 'net';

/**
 * A tiny upstream API: answers every request with what reached it (method,
 * url, headers, body), so the headers the gateway adds can be seen. With a
 * `callback` renderer it also plays the client's redirect endpoint at
 * /callback, showing what the authorization server sent back.
 */
export function startEchoBackend(
  port = 0,
  host = '127.0.0.1',
  callback?: (params: URLSearchParams) => string
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    if (callback && url.pathname === '/callback') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(callback(url.searchParams));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.stringify(
        {
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8')
        },
        null,
        2
      );
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${bound}`,
        close: () => new Promise((done) => server.close(() => done()))
      });
    });
  });
}
