import type { NextFunction, Request, Response } from 'express';
import { literalAddress } from '../client-urls/client-url-rule';
import { hostProblem } from '../client-urls/public-lookup';
import { InvalidClientMetadata } from '../errors';
import type { Settings } from '../settings';
import type { ClientMetadata } from './client-metadata';

/**
 * The step after readClientMetadata: a jwks_uri whose host name resolves
 * to no public address is refused now (RFC 7591 §3.2.2), so the client
 * learns it at once. DNS may answer otherwise later: the fetch checks again
 * (lib/client-urls/public-lookup.ts), and that is the check that protects.
 */
export function checkJwksUriHost(settings: Settings) {
  const rules = settings.clientUrls;
  return function checkJwksUriHost(_req: Request, res: Response, next: NextFunction): void {
    const { jwksUri } = res.locals.metadata as ClientMetadata;
    if (!jwksUri || rules.allowPrivateNetworks) return next();
    const url = new URL(jwksUri);
    if (literalAddress(url)) return next(); // judged by readClientMetadata
    hostProblem(url.hostname, rules.timeout).then((problem) => {
      next(
        problem
          ? new InvalidClientMetadata(`jwks_uri ${problem}`, `jwks_uri host ${JSON.stringify(url.hostname)}`)
          : undefined
      );
    }, next);
  };
}
