import type { NextFunction, Request, Response } from 'express';
import { clientErrorStatus, describable, OAuthError } from '../errors';

const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON',
  'entity.too.large': 'The request body is too large',
  'encoding.unsupported': "The request body's encoding is not supported",
  'charset.unsupported': "The request body's charset is not supported"
};

/**
 * EG's admin app parses JSON before any route, and its error handler
 * answers a malformed body with a 500, as it does a path parameter that
 * does not percent-decode. For the plugin's admin routes (and Janus's
 * /oauth/servers) such a request is
 * the caller's mistake: 400 invalid_request, in JSON.
 */
export function adminBodyErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const type = (err as { type?: unknown })?.type;
  const ours =
    req.path.startsWith('/oauth2/') || req.path === '/oauth/servers' || req.path.startsWith('/oauth/servers/');
  if (!ours || err instanceof OAuthError || clientErrorStatus(err) === undefined || res.headersSent) return next(err);
  const description =
    typeof type === 'string' && BODY_ERRORS[type]
      ? BODY_ERRORS[type]
      : err instanceof URIError
        ? 'The request path is malformed'
        : 'The request could not be read';
  res.status(400).json({ error: 'invalid_request', error_description: describable(description) });
}
