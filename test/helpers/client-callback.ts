import http from 'http';
import type { AddressInfo } from 'net';

/** A client application's redirect endpoint: a page that shows what it received (for Chromium to read). */
export function startClientCallback(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(
      `<!doctype html><title>client</title><p id="received">${new URL(req.url!, 'http://x').search.replace(/[<>&"]/g, '')}</p>`
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
        close: () => server.close()
      });
    })
  );
}
