import type { NextFunction, Request, Response } from 'express';
import type { EgContext, EgLogger, EgPolicy } from '../../lib/eg/types';
import { InsufficientScope, InvalidToken } from '../../lib/errors';
import type { TokenStore } from '../../lib/store/token.store';
import { PolicyParams, policySchema } from '../../schemas/policy.schema';
import { MissingToken, sendBearerChallenge } from './bearer-challenge';
import { extractToken } from './extract-token';
import { forwardIdentity, stripSpoofedIdentity } from './identity';
import { localTokenStrategy } from './local-token.strategy';
import type { ValidatedToken } from './validated-token';

interface Deps { store: TokenStore; logger: EgLogger }

/** RFC 6750 §3.1: every scope of the API endpoint is required. */
function requireEndpointScopes(req: Request, token: ValidatedToken): void {
  const required = (req as Request & { egContext?: EgContext }).egContext?.apiEndpoint?.scopes ?? [];
  const missing = required.filter((scope) => !token.scopes.includes(scope));
  if (missing.length > 0) {
    throw new InsufficientScope('The access token lacks a scope this endpoint requires', required.join(' '));
  }
}

/**
 * The resource-server side: the `oauth2` policy of a pipeline. This runs on
 * every API call, so it does one Redis read and nothing slow.
 */
export function oauth2Policy({ store, logger }: Deps): EgPolicy {
  const validateLocalToken = localTokenStrategy(store);

  function createPolicy(params: PolicyParams) {
    async function authenticate(req: Request): Promise<void> {
      const token = await extractToken(req, params);
      if (!token) throw new MissingToken();
      const validated = await validateLocalToken(token);
      requireEndpointScopes(req, validated);
      forwardIdentity(req, validated);
    }

    return function oauth2Bearer(req: Request, res: Response, next: NextFunction): void {
      stripSpoofedIdentity(req);
      authenticate(req).then(() => next(), (failure: unknown) => {
        // passThrough forgives a missing or refused token, never an outage or a broken request.
        const forgivable = failure instanceof MissingToken || failure instanceof InvalidToken || failure instanceof InsufficientScope;
        if (params.passThrough && forgivable) {
          req.headers['eg-consumer-id'] = 'anonymous';
          return next();
        }
        sendBearerChallenge(res, failure, params.realm, logger);
      });
    };
  }

  return { name: 'oauth2', schema: policySchema, policy: createPolicy };
}
