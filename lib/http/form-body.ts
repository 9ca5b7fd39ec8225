import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidRequest } from '../errors';
import { writtenKeys } from './json-keys';

/**
 * Reads an application/x-www-form-urlencoded body (RFC 6749 §3.2), bounded in
 * size and parameter count. Anything else is invalid_request, never a 500.
 * @param acceptJson also a JSON object of string values (tokenEndpoint.acceptJson:
 *   clients written for EG's built-in policy), read into the same shape.
 * @param repeatable parameters a form may repeat (RFC 8707 §2 resource), read as a list.
 */
export function formBody(maxBytes: number, acceptJson = false, repeatable: string[] = []): RequestHandler[] {
  const parseUrlencoded = bodyParser.urlencoded({ extended: false, limit: maxBytes, parameterLimit: 64 });
  // verify: the text as sent, to find repeated keys JSON.parse would merge.
  const parseJson = bodyParser.json({
    limit: maxBytes,
    strict: true,
    verify: (req, _res, raw) => {
      (req as Request).rawJson = raw.toString('utf8');
    }
  });
  const isJson = (req: Request) => acceptJson && req.is('application/json') === 'application/json';

  function requireFormContentType(req: Request, _res: Response, next: NextFunction): void {
    if (!req.is('application/x-www-form-urlencoded') && !isJson(req)) {
      return next(new InvalidRequest('The request body must be application/x-www-form-urlencoded'));
    }
    next();
  }

  function parseForm(req: Request, res: Response, next: NextFunction): void {
    (isJson(req) ? parseJson : parseUrlencoded)(req, res, (err?: { type?: string; message?: string }) => {
      if (!err) return next();
      const tooLarge = err.type === 'entity.too.large' || err.type === 'parameters.too.many';
      next(
        new InvalidRequest(
          tooLarge ? 'The request body is too large' : 'The request body could not be read',
          err.message
        )
      );
    });
  }

  /** A JSON body holds what a form can: a flat object of strings, nothing nested, no numbers standing in for text. */
  function requireFlatStrings(req: Request, _res: Response, next: NextFunction): void {
    if (!isJson(req)) return next();
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return next(new InvalidRequest('The JSON body must be an object'));
    const entries = Object.entries(body);
    if (entries.length > 64) return next(new InvalidRequest('The request body is too large'));
    const wrong = entries.find(([, value]) => typeof value !== 'string');
    if (wrong) return next(new InvalidRequest(`The parameter "${wrong[0].slice(0, 64)}" must be a string`));
    const keys = writtenKeys(req.rawJson ?? '{}');
    const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
    if (repeated !== undefined) return next(new InvalidRequest(`The parameter "${repeated.slice(0, 64)}" is repeated`));
    // A fresh object without a prototype's names (__proto__ stays a plain key), as the form parser gives.
    req.body = Object.assign(Object.create(null), body);
    next();
  }

  /** RFC 6749 §3.1: parameters must not be included more than once. */
  function rejectRepeatedParameters(req: Request, _res: Response, next: NextFunction): void {
    const repeated = Object.keys(req.body ?? {}).find(
      (name) => Array.isArray(req.body[name]) && !repeatable.includes(name)
    );
    if (repeated) return next(new InvalidRequest(`The parameter "${repeated}" is repeated`));
    next();
  }

  return [requireFormContentType, parseForm, requireFlatStrings, rejectRepeatedParameters];
}
