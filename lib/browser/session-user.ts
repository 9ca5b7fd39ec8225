import type { NextFunction, Request, Response } from 'express';

/** Puts the signed-in resource owner of the session on `req.user`, where oauth2orize and the pages look for it. */
export function loadSessionUser(req: Request, _res: Response, next: NextFunction): void {
  req.user = req.session?.oauth2User;
  next();
}
