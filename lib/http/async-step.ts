import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * An async step of a route as express middleware: what it throws or
 * rejects with goes to the route's error step (`next(err)`), never
 * unanswered and never an unhandled rejection. The one async boundary of
 * the routes.
 */
export function asyncStep(work: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return function asyncStep(req: Request, res: Response, next: NextFunction): void {
    work(req, res).catch(next);
  };
}
