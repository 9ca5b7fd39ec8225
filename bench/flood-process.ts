/**
 * The bench's second load generator, in a process of its own so that it
 * shares no event loop with autocannon: wrong client secrets sent to a
 * gateway's token endpoint at a steady rate while the bench measures
 * protected calls (issue 15, item 1). Open loop, as an attacker sends: a
 * request leaves on schedule however long the earlier ones take. Driven over
 * IPC by bench/flood.ts: a `start` message with the plan, then `tally` and
 * `stop`, each answered with the answers counted so far; it exits when the
 * IPC channel closes.
 */
import http from 'http';
import type { FloodMessage, FloodPlan, FloodTally } from './flood';

/** One address for the naive flood (RFC 5737 documentation range). */
const NAIVE_ADDRESS = '198.51.100.7';
const TICK_MS = 10;

/**
 * A connection per request: a reused keep-alive socket that the gateway closes
 * as idle at the moment it is reused fails the request (ECONNRESET), which is
 * the load generator's noise, not an answer.
 */
const agent = new http.Agent({ keepAlive: false });
const tally: FloodTally = { seconds: 0, sent: 0, invalidClient: 0, locked: 0, busy: 0, other: 0, errors: 0 };
let started = 0;
let timer: NodeJS.Timeout | undefined;

/**
 * The n-th request's address: a fresh one each time for the distributed flood, so no per-IP counter reaches its limit.
 */
function addressOf(plan: FloodPlan, n: number): string {
  return plan.shape === 'naive' ? NAIVE_ADDRESS : `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * The client's lock says so with Retry-After; a plain wrong secret is a bare 401 (lib/clients/client.authenticator.ts).
 */
function count(res: http.IncomingMessage): void {
  if (res.statusCode === 401) tally[res.headers['retry-after'] ? 'locked' : 'invalidClient']++;
  else if (res.statusCode === 503) tally.busy++;
  else tally.other++;
}

/**
 * client_secret_basic with a secret never sent before (identical concurrent attempts would be checked once), grant
 * client_credentials.
 */
function send(plan: FloodPlan, url: URL): void {
  const n = tally.sent++;
  const clientId = plan.clients[n % plan.clients.length];
  const credentials = Buffer.from(`${encodeURIComponent(clientId)}:wrong-secret-${n}`).toString('base64');
  const body = 'grant_type=client_credentials';
  const req = http.request(
    url,
    {
      method: 'POST',
      agent,
      headers: {
        Authorization: `Basic ${credentials}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
        // The gateway trusts one proxy hop (trustProxy: 1): this is the client address its per-IP counters count.
        'X-Forwarded-For': addressOf(plan, n)
      }
    },
    (res) => {
      count(res);
      res.resume();
    }
  );
  req.on('error', () => {
    tally.errors++;
  });
  req.end(body);
}

function start(plan: FloodPlan): void {
  const url = new URL(plan.tokenUrl);
  started = Date.now();
  timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * plan.rate);
    while (tally.sent < due) send(plan, url);
  }, TICK_MS);
}

function report(): FloodTally {
  return { ...tally, seconds: started ? (Date.now() - started) / 1000 : 0 };
}

process.on('message', (message: FloodMessage) => {
  if (message.type === 'start') start(message.plan);
  if (message.type === 'stop') clearInterval(timer);
  process.send!(report());
});
// Stopped, or the bench died: requests still in flight are dropped.
process.on('disconnect', () => process.exit(0));
