import type { IncomingHttpHeaders } from 'http';
import type { FuzzRequest } from './requests';
import type { Outcome } from './sender';
import { SERVERS } from './material';

/**
 * The front proxy's documented answer when a registered server cannot be reached (503 temporarily_unavailable): the
 * fuzzer registers servers of its own whose endpoints are unreachable (127.0.0.1:9), and then calls them. The two
 * servers of the fuzz world are always reachable: a 503 from either is a failure.
 */
function unreachableScratchServer(request: FuzzRequest, outcome: Outcome & { kind: 'answered' }): boolean {
  const server = /^\/oauth2\/servers\/([^/?]+)\//.exec(request.path)?.[1];
  if (request.endpoint !== 'server proxy' || outcome.status !== 503 || server === undefined) return false;
  let name: string;
  try {
    name = decodeURIComponent(server);
  } catch {
    return false;
  }
  return !(SERVERS as readonly string[]).includes(name) && outcome.body.includes('"temporarily_unavailable"');
}

/** One kind of failure: how many, and the first few requests that showed it. */
class Failures {
  count = 0;
  readonly examples: string[] = [];

  constructor(readonly title: string) {}

  add(request: FuzzRequest, what: string): void {
    this.count++;
    if (this.examples.length < 5) this.examples.push(`${what}\n    <- ${describe(request)}`);
  }
}

/** What the run saw, kept small: counts per endpoint and status, and failures with their first requests. */
export class Findings {
  readonly statuses = new Map<string, number>();
  readonly serverErrors = new Failures('answers with status >= 500');
  readonly hangs = new Failures('requests never answered');
  readonly connectionErrors = new Failures('connections broken on small requests');
  readonly malformedErrors = new Failures('400/401 answers of OAuth endpoints without a JSON {"error": string} body');
  /** Shapes of 4xx answers outside the RFC-checked endpoints, for the report (not failures). */
  readonly otherShapes = new Map<string, number>();
  count = 0;

  record(request: FuzzRequest, outcome: Outcome): void {
    this.count++;
    if (outcome.kind === 'hang') return this.hangs.add(request, `no answer in ${outcome.ms} ms`);
    if (outcome.kind === 'connection error') {
      // Node answers a head over its 16 KiB limit with 431 and closes, and the gateway may refuse a huge body before
      // reading
      // it: the client, still sending, sees the connection reset. Only a small request's broken connection is a
      // failure.
      const head =
        request.path.length + request.headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
      if (head <= 16384 && request.body.length <= 65536) this.connectionErrors.add(request, outcome.message);
      return;
    }
    const key = `${request.endpoint} ${outcome.status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    if (outcome.status >= 500 && !unreachableScratchServer(request, outcome))
      return this.serverErrors.add(request, `${outcome.status} ${outcome.body.slice(0, 300)}`);
    if (outcome.status >= 400 && outcome.status < 500 && request.method !== 'HEAD') {
      const shape = shapeOf(outcome.status, outcome.headers, outcome.body);
      if (request.rfcErrors && (outcome.status === 400 || outcome.status === 401) && shape !== 'oauth-json') {
        this.malformedErrors.add(request, `${outcome.status} ${shape}: ${outcome.body.slice(0, 200)}`);
      } else if (shape !== 'oauth-json') {
        const other = `${request.endpoint} ${outcome.status} ${shape}`;
        this.otherShapes.set(other, (this.otherShapes.get(other) ?? 0) + 1);
      }
    }
  }

  /** Failures as a message naming each kind, with the first offending requests. */
  failures(): string[] {
    return [this.serverErrors, this.hangs, this.connectionErrors, this.malformedErrors]
      .filter((failures) => failures.count > 0)
      .map((failures) => `${failures.count} ${failures.title}:\n  ${failures.examples.join('\n  ')}`);
  }
}

/**
 * What kind of error body an answer has. A 401 that only challenges for a
 * bearer token, when the request carried none, has no error code by design
 * (RFC 6750 §3.1), as at the registration endpoint.
 */
function shapeOf(status: number, headers: IncomingHttpHeaders, body: string): string {
  const challenge = String(headers['www-authenticate'] ?? '');
  if (status === 401 && /^Bearer /i.test(challenge) && !/error=/.test(challenge)) return 'oauth-json';
  const contentType = headers['content-type'];
  if (/json/.test(contentType ?? '')) {
    try {
      const parsed = JSON.parse(body);
      return parsed && typeof parsed === 'object' && typeof parsed.error === 'string' ? 'oauth-json' : 'other-json';
    } catch {
      return 'invalid-json';
    }
  }
  return body.length === 0 ? 'empty' : (contentType ?? 'no-content-type').split(';')[0];
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A request as a replayable summary: index, method, path, headers and the start of the body. */
export function describe(request: FuzzRequest): string {
  const headers = request.headers.map(([name, value]) => `${name}: ${cut(value, 120)}`).join(' | ');
  return `#${request.index} [${request.endpoint}] ${request.method} ${request.target} ${cut(request.path, 300)} {${headers}} body(${request.body.length}): ${JSON.stringify(cut(request.body.toString('latin1'), 300))}`;
}
