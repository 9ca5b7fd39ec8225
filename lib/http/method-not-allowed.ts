import type { Request, Response } from 'express';
import { InvalidRequest } from '../errors';

/** RFC 9110 §15.5.6: 405 naming the allowed methods (e.g. "GET, PUT, DELETE"), with an OAuth-shaped body. */
export function methodNotAllowed(allowed: string) {
  return function methodNotAllowed(_req: Request, res: Response): void {
    res
      .status(405)
      .set({ Allow: allowed, 'Cache-Control': 'no-store' })
      .json(new InvalidRequest(`This endpoint only accepts ${allowed}`).toJSON());
  };
}
