import http, { IncomingHttpHeaders, OutgoingHttpHeaders } from 'http';
import https from 'https';
import type { Request, Response } from 'express';
import { TemporarilyUnavailable, UpstreamTimeout } from '../errors';

/** RFC 9110 §7.6.1: these describe one connection, not the message, and never cross a proxy. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const drop = new Set([...HOP_BY_HOP, ...named]);
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !drop.has(name)) kept[name] = value;
  return kept;
}

/** The cookie header without the gateway's own session cookie, which is none of the upstream's business. */
function withoutCookie(cookieHeader: string | undefined, name: string): string | undefined {
  const kept = (cookieHeader ?? '').split(';').map((part) => part.trim()).filter((part) => part && !part.startsWith(`${name}=`));
  return kept.length ? kept.join('; ') : undefined;
}

export interface Forwarding {
  target: URL;
  timeout: number;
  /** The body to send instead of the request's own stream (it was read to be checked or edited). */
  body?: Buffer;
  /** Headers to set or, with undefined, remove. */
  headers?: Record<string, string | undefined>;
  /** The gateway's session cookie, kept from the upstream. */
  sessionCookie: string;
}

function requestHeaders(req: Request, forwarding: Forwarding): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = withoutHopByHop(req.headers);
  headers.host = forwarding.target.host;
  headers.cookie = withoutCookie(req.headers.cookie, forwarding.sessionCookie);
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-proto'] = req.protocol;
  headers['x-forwarded-host'] = req.headers.host;
  if (forwarding.body) headers['content-length'] = String(forwarding.body.length);
  for (const [name, value] of Object.entries(forwarding.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const name of Object.keys(headers)) if (headers[name] === undefined) delete headers[name];
  return headers;
}

/**
 * Sends the request on to an upstream server and its answer back unchanged
 * (status, headers and body, errors included) but for hop-by-hop headers.
 * An upstream that cannot be reached is a 503, one that does not answer in
 * time a 504, both as OAuth errors; neither ever hangs the client.
 * @returns once the answer has been sent or the failure is known.
 */
export function forward(req: Request, res: Response, forwarding: Forwarding): Promise<void> {
  const { target, timeout } = forwarding;
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const upstream = transport.request(target, { method: req.method, headers: requestHeaders(req, forwarding) });
    const deadline = setTimeout(() => upstream.destroy(new UpstreamTimeout(`The authorization server did not answer within ${timeout} ms`)), timeout);
    upstream.on('response', (answer) => {
      clearTimeout(deadline);
      // A body that stalls once the answer has begun cannot become an error page: the connection is cut instead.
      upstream.setTimeout(timeout, () => upstream.destroy());
      res.status(answer.statusCode ?? 502);
      for (const [name, value] of Object.entries(withoutHopByHop(answer.headers))) res.setHeader(name, value);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => { res.destroy(); resolve(); });
    });
    upstream.on('error', (err) => {
      clearTimeout(deadline);
      if (res.headersSent) {
        res.destroy();
        return resolve();
      }
      reject(err instanceof UpstreamTimeout ? err
        : new TemporarilyUnavailable('The authorization server cannot be reached, try again later', `${target.origin}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); }); // the client went away
    if (forwarding.body) upstream.end(forwarding.body);
    else req.pipe(upstream);
  });
}
