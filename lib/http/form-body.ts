import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidRequest } from '../errors';

/**
 * Reads an application/x-www-form-urlencoded body (RFC 6749 §3.2), bounded in
 * size and parameter count. Anything else is invalid_request, never a 500.
 */
export function formBody(maxBytes: number): RequestHandler[] {
  const parse = bodyParser.urlencoded({ extended: false, limit: maxBytes, parameterLimit: 64 });

  function requireFormContentType(req: Request, _res: Response, next: NextFunction): void {
    if (!req.is('application/x-www-form-urlencoded')) {
      return next(new InvalidRequest('The request body must be application/x-www-form-urlencoded'));
    }
    next();
  }

  function parseForm(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, (err?: { type?: string; message?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large' || err.type === 'parameters.too.many';
      next(new InvalidRequest(tooLarge ? 'The request body is too large' : 'The request body could not be read', err.message));
    });
  }

  /** RFC 6749 §3.1: parameters must not be included more than once. */
  function rejectRepeatedParameters(req: Request, _res: Response, next: NextFunction): void {
    const repeated = Object.keys(req.body ?? {}).find((name) => Array.isArray(req.body[name]));
    if (repeated) return next(new InvalidRequest(`The parameter "${repeated}" is repeated`));
    next();
  }

  return [requireFormContentType, parseForm, rejectRepeatedParameters];
}
