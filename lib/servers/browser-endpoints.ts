import type { Request, Response } from 'express';
import { ProxiedRequest, requireBrowserEncoding } from './proxied-request';

/**
 * The policy of a proxied authorization page (browserEndpoints: sandbox):
 * its scripts and forms work, in an opaque origin. Never allow-same-origin:
 * the page would then be the gateway's origin, and could read its consent
 * page with the user's cookies (issue 15, item 4).
 */
export const SANDBOXED_PAGE = 'sandbox allow-forms allow-scripts';
/** The policy of every other proxied answer: an API answer has no business running script or posting forms. */
export const SANDBOXED_ANSWER = 'sandbox';

/**
 * browserEndpoints: redirect. The browser goes to the upstream's own
 * authorization endpoint with the query as the gateway read and checked it:
 * 302 for GET; 307 for POST, so that the browser posts the same form there
 * (RFC 9110 §15.4.8), which the gateway therefore only admits encoded as
 * browsers encode it. Only a redirect is ever answered, never an upstream page.
 */
export function redirectToUpstream(req: Request, res: Response, target: URL, request: ProxiedRequest): void {
  if (req.method === 'POST') requireBrowserEncoding(request);
  res
    .status(req.method === 'POST' ? 307 : 302)
    .set({ Location: target.toString(), 'Cache-Control': 'no-store' })
    .end();
}
