import http, { IncomingHttpHeaders, OutgoingHttpHeaders } from 'http';
import https from 'https';
import type { Request, Response } from 'express';
import { TemporarilyUnavailable, UpstreamTimeout } from '../errors';
import { cookiesForUpstream, cookiesFromUpstream } from './proxy-cookies';

/** RFC 9110 §7.6.1: these describe one connection, not the message, and never cross a proxy. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
];
/**
 * Never removed because a Connection header names them: framing and identity would go with them (request smuggling).
 */
const END_TO_END = new Set(['content-length', 'content-type', 'host', 'authorization', 'cookie', 'set-cookie']);
/**
 * Headers of an answer that act on the gateway's whole origin, not on the
 * proxied page: an upstream may not clear the origin's cookies and storage,
 * pin it to HTTPS (a gateway on plain http would become unreachable), move
 * it to another service (Alt-Svc) or ask its clients for more (Accept-CH).
 */
const ORIGIN_WIDE = [
  'clear-site-data',
  'strict-transport-security',
  'alt-svc',
  'accept-ch',
  'critical-ch',
  'origin-agent-cluster'
];
/** Node answered the client's Expect already; the body is complete by the time it goes upstream. */
const ANSWERED_HERE = ['expect', 'content-length', 'host', 'cookie', 'set-cookie'];

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name && !END_TO_END.has(name));
  const drop = new Set([...HOP_BY_HOP, ...named]);
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !drop.has(name)) kept[name] = value;
  return kept;
}

export interface Forwarding {
  target: URL;
  /** Where to go, in order, when `target` (or the one before) cannot be connected to: the request never reached it. */
  fallbacks?: URL[] | undefined;
  /** The Host header to send (Janus's preserve_host: the client's own); the target's host when absent. */
  host?: string | undefined;
  timeout: number;
  /** The whole request body, read beforehand: it always goes upstream with its exact length. */
  body: Buffer;
  /** Headers to set. */
  headers?: Record<string, string>;
  /** How the upstream's cookies are kept in the browser (see proxy-cookies.ts); `sessionCookie` is never set. */
  cookies: { prefix: string; path: string; sessionCookie: string };
  /**
   * Added to whatever policy the upstream sent: a `sandbox` policy, so that
   * no answer, even HTML the upstream should never have sent, runs script
   * with the gateway origin's privileges.
   */
  contentSecurityPolicy: string;
}

function requestHeaders(req: Request, forwarding: Forwarding, target: URL): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = withoutHopByHop(req.headers);
  for (const name of ANSWERED_HERE) delete headers[name];
  headers.host = forwarding.host ?? target.host;
  const cookie = cookiesForUpstream(req.headers.cookie, forwarding.cookies.prefix);
  if (cookie) headers.cookie = cookie;
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-proto'] = req.protocol;
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  // Always framed by its exact length, whatever the client sent: nothing can run on into a second request.
  if (forwarding.body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method))
    headers['content-length'] = String(forwarding.body.length);
  return { ...headers, ...forwarding.headers };
}

function sendAnswerHead(res: Response, answer: http.IncomingMessage, forwarding: Forwarding): void {
  res.status(answer.statusCode ?? 502);
  const headers = withoutHopByHop(answer.headers);
  for (const name of ['set-cookie', ...ORIGIN_WIDE]) delete headers[name];
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const { prefix, path, sessionCookie } = forwarding.cookies;
  const cookies = cookiesFromUpstream(answer.headers['set-cookie'], prefix, path, sessionCookie);
  if (cookies.length) res.setHeader('Set-Cookie', cookies);
  // A browser enforces every policy it is sent: the upstream's own can only narrow ours.
  const theirs = [answer.headers['content-security-policy'] ?? []].flat();
  res.setHeader('Content-Security-Policy', [...theirs, forwarding.contentSecurityPolicy]);
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * Whether the request's connection was ever made (TCP, and TLS for https):
 * until it is, the upstream cannot have received any of the request, and
 * another target may be asked.
 */
function connection(upstream: http.ClientRequest, secure: boolean): () => boolean {
  let connected = false;
  upstream.on('socket', (socket) => {
    if (!socket.connecting)
      connected = true; // a kept-alive socket, connected (and its TLS session made) already
    else
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        connected = true;
      });
  });
  return () => connected;
}

/** The connection was not made in time: that target is passed over for the next, if any. */
class ConnectTimeout extends Error {}

/**
 * Sends the request on to an upstream server and its answer back unchanged
 * (status, headers and body, errors included) but for hop-by-hop and
 * origin-wide headers, cookie scoping, and the sandbox policy and nosniff
 * that every answer gets. A target that cannot be connected to (refused,
 * unreachable, no connection or TLS session within the timeout) is passed
 * over for the next of `fallbacks`; when none is left, that is a 503, an
 * upstream that does not answer in time a 504, both as OAuth errors; neither
 * ever hangs the client. A request that reached an upstream is never sent
 * again (a token request may have been acted on). A client that went away
 * ends the exchange quietly.
 * @returns once the answer has been sent or the failure is known.
 */
export function forward(req: Request, res: Response, forwarding: Forwarding): Promise<void> {
  const { timeout } = forwarding;
  let upstream: http.ClientRequest | undefined;
  return new Promise((resolve, reject) => {
    // The client left while its body was read (req itself is done once read).
    if (res.destroyed || res.socket?.destroyed) return resolve();
    res.on('close', () => {
      if (!res.writableFinished) upstream?.destroy();
    }); // the client went away
    const attempt = (target: URL, fallbacks: URL[]): void => {
      const transport = target.protocol === 'https:' ? https : http;
      const current = transport.request(target, {
        method: req.method,
        headers: requestHeaders(req, forwarding, target)
      });
      upstream = current;
      const connected = connection(current, target.protocol === 'https:');
      const deadline = setTimeout(
        () =>
          current.destroy(
            connected()
              ? new UpstreamTimeout(`The authorization server did not answer within ${timeout} ms`)
              : new ConnectTimeout(`no connection within ${timeout} ms`)
          ),
        timeout
      );
      current.on('response', (answer) => {
        clearTimeout(deadline);
        // A body that stalls once the answer has begun cannot become an error page: the connection is cut instead.
        current.setTimeout(timeout, () => current.destroy());
        sendAnswerHead(res, answer, forwarding);
        answer.pipe(res);
        answer.on('end', () => resolve());
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      });
      current.on('error', (err) => {
        clearTimeout(deadline);
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return resolve();
        }
        const [next, ...later] = fallbacks;
        if (!(err instanceof UpstreamTimeout) && next && !connected()) return attempt(next, later);
        for (const name of res.getHeaderNames()) res.removeHeader(name); // none of the upstream's headers on our error
        reject(
          err instanceof UpstreamTimeout
            ? err
            : new TemporarilyUnavailable(
                'The authorization server cannot be reached, try again later',
                `${target.origin}: ${(err as NodeJS.ErrnoException).code ?? err.message}`
              )
        );
      });
      current.end(forwarding.body);
    };
    attempt(forwarding.target, forwarding.fallbacks ?? []);
  });
}
