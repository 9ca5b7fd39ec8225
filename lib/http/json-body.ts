import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidRequest } from '../errors';

/**
 * Reads an application/json body (RFC 7591 §3.1), bounded in size. The
 * gateway parses no body before plugin routes, so this is the only reader.
 * Anything else is invalid_request, never a 500.
 */
export function jsonBody(maxBytes: number): RequestHandler[] {
  const parse = bodyParser.json({ limit: maxBytes, strict: true });

  function requireJsonContentType(req: Request, _res: Response, next: NextFunction): void {
    if (!req.is('application/json')) return next(new InvalidRequest('The request body must be application/json'));
    next();
  }

  function parseJson(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, (err?: { type?: string; message?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large';
      next(
        new InvalidRequest(
          tooLarge ? 'The request body is too large' : 'The request body is not valid JSON',
          err.message
        )
      );
    });
  }

  return [requireJsonContentType, parseJson];
}
