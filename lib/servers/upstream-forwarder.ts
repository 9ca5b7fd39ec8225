import http, { IncomingHttpHeaders, OutgoingHttpHeaders } from 'http';
import https from 'https';
import type { Request, Response } from 'express';
import { TemporarilyUnavailable, UpstreamTimeout } from '../errors';
import { cookiesForUpstream, cookiesFromUpstream } from './proxy-cookies';

/** RFC 9110 §7.6.1: these describe one connection, not the message, and never cross a proxy. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade'];
/** Never removed because a Connection header names them: framing and identity would go with them (request smuggling). */
const END_TO_END = new Set(['content-length', 'content-type', 'host', 'authorization', 'cookie', 'set-cookie']);
/**
 * Headers of an answer that act on the gateway's whole origin, not on the
 * proxied page: an upstream may not clear the origin's cookies and storage,
 * pin it to HTTPS (a gateway on plain http would become unreachable), move
 * it to another service (Alt-Svc) or ask its clients for more (Accept-CH).
 */
const ORIGIN_WIDE = ['clear-site-data', 'strict-transport-security', 'alt-svc', 'accept-ch', 'critical-ch', 'origin-agent-cluster'];
/** Node answered the client's Expect already; the body is complete by the time it goes upstream. */
const ANSWERED_HERE = ['expect', 'content-length', 'host', 'cookie', 'set-cookie'];

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name && !END_TO_END.has(name));
  const drop = new Set([...HOP_BY_HOP, ...named]);
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !drop.has(name)) kept[name] = value;
  return kept;
}

export interface Forwarding {
  target: URL;
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

function requestHeaders(req: Request, forwarding: Forwarding): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = withoutHopByHop(req.headers);
  for (const name of ANSWERED_HERE) delete headers[name];
  headers.host = forwarding.target.host;
  const cookie = cookiesForUpstream(req.headers.cookie, forwarding.cookies.prefix);
  if (cookie) headers.cookie = cookie;
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-proto'] = req.protocol;
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  // Always framed by its exact length, whatever the client sent: nothing can run on into a second request.
  if (forwarding.body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method)) headers['content-length'] = String(forwarding.body.length);
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
 * Sends the request on to an upstream server and its answer back unchanged
 * (status, headers and body, errors included) but for hop-by-hop and
 * origin-wide headers, cookie scoping, and the sandbox policy and nosniff
 * that every answer gets. An upstream that cannot be reached is a 503, one
 * that does not answer in time a 504, both as OAuth errors; neither ever
 * hangs the client. A client that went away ends the exchange quietly.
 * @returns once the answer has been sent or the failure is known.
 */
export function forward(req: Request, res: Response, forwarding: Forwarding): Promise<void> {
  const { target, timeout } = forwarding;
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (res.destroyed || res.socket?.destroyed) return resolve(); // the client left while its body was read (req itself is done once read)
    const upstream = transport.request(target, { method: req.method, headers: requestHeaders(req, forwarding) });
    const deadline = setTimeout(() => upstream.destroy(new UpstreamTimeout(`The authorization server did not answer within ${timeout} ms`)), timeout);
    upstream.on('response', (answer) => {
      clearTimeout(deadline);
      // A body that stalls once the answer has begun cannot become an error page: the connection is cut instead.
      upstream.setTimeout(timeout, () => upstream.destroy());
      sendAnswerHead(res, answer, forwarding);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => { res.destroy(); resolve(); });
    });
    upstream.on('error', (err) => {
      clearTimeout(deadline);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return resolve();
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name); // none of the upstream's headers on our error
      reject(err instanceof UpstreamTimeout ? err
        : new TemporarilyUnavailable('The authorization server cannot be reached, try again later', `${target.origin}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); }); // the client went away
    upstream.end(forwarding.body);
  });
}
