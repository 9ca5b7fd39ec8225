import type { NextFunction, Request, Response } from 'express';

/**
 * Puts the signed-in resource owner of the session on `req.user`, where
 * oauth2orize and connect-ensure-login look for it. connect-ensure-login asks
 * `req.isAuthenticated()`, which only exists where some passport patched it
 * in; it is defined here so the check never depends on that.
 */
export function loadSessionUser(req: Request, _res: Response, next: NextFunction): void {
  req.user = req.session?.oauth2User;
  (req as { isAuthenticated: () => boolean }).isAuthenticated = () => Boolean(req.session?.oauth2User);
  next();
}
