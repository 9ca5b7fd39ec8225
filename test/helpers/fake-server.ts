import http from 'http';
import https from 'https';
import type { AddressInfo } from 'net';

/** A request the fake server received. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A stand-in for another authorization server (JWKS, introspection), answering with `handler` and recording requests.
 */
export interface FakeServer {
  url: string;
  received: Received[];
  handler: (req: Received) => {
    status?: number;
    body?: unknown;
    hang?: boolean;
    /** Milliseconds before answering. */
    delay?: number;
    headers?: Record<string, string | string[]>;
  };
  close(): Promise<void>;
}

/** @param tls serve https with this key and certificate (see loopbackTls) */
export function startFakeServer(
  handler: FakeServer['handler'],
  tls?: { key: string; cert: string }
): Promise<FakeServer> {
  const hanging = new Set<http.ServerResponse>();
  const fake = { received: [] as Received[], handler } as FakeServer;
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString()
      };
      fake.received.push(received);
      const answer = fake.handler(received);
      if (answer.hang) return void hanging.add(res);
      setTimeout(() => {
        res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
      }, answer.delay ?? 0);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      fake.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
      fake.close = () =>
        new Promise((done) => {
          for (const res of hanging) res.destroy();
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve(fake);
    });
  });
}
