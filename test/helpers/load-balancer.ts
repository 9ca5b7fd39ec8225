import http from 'http';
import type { AddressInfo } from 'net';

/** One request the balancer passed on, and the instance (index into targets) that served it. */
export interface Routed {
  method: string;
  path: string;
  instance: number;
}

export interface LoadBalancer {
  url: string;
  /** The gateway instances; set before the first request (the instances need the balancer's URL as issuer first). */
  targets: string[];
  /** Every request but static files, in arrival order. */
  routed: Routed[];
  close(): Promise<void>;
}

/** Passes a request on to `target` as `options` say, and its answer back; 502 when the target does not answer. */
export function relay(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: URL,
  options: http.RequestOptions
): void {
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, ...options },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    }
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** Style sheets and icons load in parallel with the pages: they would make the rotation depend on timing. */
const isStatic = (path: string) => path.includes('/assets/') || path === '/favicon.ico';

/**
 * A round-robin reverse proxy on 127.0.0.1, as a load balancer without
 * sticky sessions: each request goes to the next instance, so no two
 * successive steps of a flow reach the same process. It appends the peer's
 * address to X-Forwarded-For like any proxy. Static files all go to the first
 * instance, outside the rotation.
 */
export function startLoadBalancer(): Promise<LoadBalancer> {
  const agent = new http.Agent({ keepAlive: false });
  let next = 0;
  const balancer: Omit<LoadBalancer, 'url' | 'close'> = { targets: [], routed: [] };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    let instance = 0;
    if (!isStatic(path)) {
      instance = next++ % balancer.targets.length;
      balancer.routed.push({ method: req.method ?? 'GET', path, instance });
    }
    const target = new URL(balancer.targets[instance]);
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    relay(req, res, target, {
      agent,
      path,
      headers: { ...req.headers, 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'http' }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(
        Object.assign(balancer, {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          close: () =>
            new Promise<void>((done) => {
              server.closeAllConnections();
              server.close(() => done());
            })
        })
      );
    })
  );
}
