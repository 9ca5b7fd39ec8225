import type { NextFunction, Request, Response } from 'express';

/** RFC 6749 §5.1: responses holding tokens or credentials must not be cached. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  next();
}
