import http from 'http';

/** A request exactly as it goes on the wire: headers in order, repeats allowed, the path unnormalised. */
export interface WireRequest {
  port: number;
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Outcome =
  | { kind: 'answered'; status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'connection error'; message: string; ms: number };

/** Answers are kept up to this size: enough to judge the shape of any error body (an echo of a huge request is cut). */
const KEEP_BYTES = 131072;

/**
 * Sends requests with raw `http.request` (the path as written, repeated
 * headers as given), over keep-alive connections, each with a deadline.
 */
export class Sender {
  private readonly agent: http.Agent;

  constructor(
    maxSockets: number,
    private readonly timeoutMs: number
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /**
   * A keep-alive connection the gateway closed while idle fails the next
   * request sent on it: that one is sent again, once, as Node's docs advise
   * (`reusedSocket`). Any other broken connection is the outcome.
   */
  async send(wire: WireRequest): Promise<Outcome> {
    const first = await this.attempt(wire);
    return first.kind === 'connection error' && first.reused ? this.attempt(wire) : first;
  }

  private attempt(wire: WireRequest): Promise<Outcome & { reused?: boolean }> {
    const started = Date.now();
    const ms = () => Date.now() - started;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome & { reused?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      // Node frames a GET or DELETE body only when told its length: unframed bytes would read as a second request.
      const framed =
        wire.body.length > 0 && !wire.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
      const flat = [...wire.headers, ...(framed ? [['Content-Length', String(wire.body.length)]] : [])].flat();
      const req = http.request(
        { host: '127.0.0.1', port: wire.port, method: wire.method, path: wire.path, headers: flat, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on('data', (chunk: Buffer) => {
            if (kept < KEEP_BYTES) chunks.push(chunk);
            kept += chunk.length;
          });
          res.on('end', () =>
            settle({
              kind: 'answered',
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8').slice(0, KEEP_BYTES),
              ms: ms()
            })
          );
          res.on('error', (err) => settle({ kind: 'connection error', message: err.message, ms: ms() }));
        }
      );
      const timer = setTimeout(() => {
        settle({ kind: 'hang', ms: ms() });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err) =>
        settle({
          kind: 'connection error',
          message: (err as NodeJS.ErrnoException).code ?? err.message,
          ms: ms(),
          reused: req.reusedSocket
        })
      );
      req.end(wire.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inPool(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
