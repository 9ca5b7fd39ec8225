import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest } from '../errors';
import { MAX_TOKEN_LENGTH } from './extract-token';

/**
 * RFC 7009 §2.1, RFC 7662 §2.1: `token` is required; `token_type_hint` is only a hint, and an unknown one is ignored.
 */
export function requireTokenParam(req: Request, _res: Response, next: NextFunction): void {
  const token = req.body.token;
  if (typeof token !== 'string' || token === '') return next(new InvalidRequest('The token parameter is missing'));
  if (token.length > MAX_TOKEN_LENGTH) return next(new InvalidRequest('The token parameter is too long'));
  next();
}
