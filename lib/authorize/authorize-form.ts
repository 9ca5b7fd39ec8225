import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { UntrustedRedirect } from './untrusted-redirect';

/** An authorization request's parameters: more and longer than the pages' own forms, still bounded. */
const authorizeForm = bodyParser.urlencoded({ extended: true, limit: 16384, parameterLimit: 50 });

/**
 * POST <authorize> (RFC 6749 §3.1: the authorization server MAY support
 * POST; OpenID Connect Core §3.1.2.1 sends the same parameters as a form):
 * the form body becomes the request's parameters, read by the same steps as
 * a GET, with the same checks and answers. No CSRF token: like a GET, the
 * request only asks; the consent page, which has one, decides. After a
 * sign-in the browser comes back with a GET carrying the same parameters.
 */
export function authorizeFormAsQuery(authorizePath: string) {
  function formAsQuery(req: Request, res: Response, next: NextFunction): void {
    if (!req.is('application/x-www-form-urlencoded')) {
      return next(
        new UntrustedRedirect(
          'Invalid request',
          'An authorization request sent with POST must be a form (application/x-www-form-urlencoded).'
        )
      );
    }
    if (Object.keys(req.query).length > 0) {
      return next(
        new UntrustedRedirect(
          'Invalid request',
          'An authorization request sent with POST carries its parameters in the form body only, not in the URL.'
        )
      );
    }
    const params = (req.body ?? {}) as Record<string, unknown>;
    // Express 4 lets a middleware replace the parsed query; the steps that follow (and oauth2orize) read it there.
    req.query = params as Request['query'];
    // Every value, a repeated one's too (RFC 8707 resource): the request after the sign-in must be this one.
    const flat = Object.entries(params).flatMap(([name, value]) =>
      [value].flat().flatMap((one): Array<[string, string]> => (typeof one === 'string' ? [[name, one]] : []))
    );
    res.locals.returnTo = `${authorizePath}?${new URLSearchParams(flat)}`;
    next();
  }
  return [authorizeForm, formAsQuery];
}
