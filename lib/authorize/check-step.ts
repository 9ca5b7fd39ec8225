import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest, OAuthError } from '../errors';
import { getAuthorizeRequest } from './authorize-request';

/** The request as the steps before left it. */
type Checking = NonNullable<ReturnType<typeof getAuthorizeRequest>>;

/**
 * The checks of an authorization request once client and redirect URI are
 * trusted (resolve-client.ts), one step each, in order. From here on every
 * error is redirected back to the client with the original state (RFC 6749
 * §4.1.2.1), so each step hands its error to `next`.
 */
export type Check = (req: Request, request: Checking) => void;

export function checkStep(name: string, check: Check) {
  const step = function (req: Request, _res: Response, next: NextFunction): void {
    try {
      check(req, getAuthorizeRequest(req)!);
      next();
    } catch (err) {
      next(err instanceof OAuthError ? err : new InvalidRequest('The authorization request is malformed'));
    }
  };
  Object.defineProperty(step, 'name', { value: name });
  return step;
}

/** The same for a check that reads the store; a store failure goes on as it is (a 503 to the client, not a 400). */
export function asyncCheckStep(name: string, check: (req: Request, request: Checking) => Promise<void>) {
  const step = function (req: Request, _res: Response, next: NextFunction): void {
    check(req, getAuthorizeRequest(req)!).then(
      () => next(),
      (err: unknown) => next(err)
    );
  };
  Object.defineProperty(step, 'name', { value: name });
  return step;
}
