import type { EgLogger } from '../../lib/eg/types';
import { InvalidToken } from '../../lib/errors';
import { JwtKeysUnavailable, JwtRejected, JwtVerifier } from '../../lib/keys/jwt-verifier';
import { loadKeys } from '../../lib/keys/key-entry';
import type { ValidatedToken } from '../../lib/tokens/validated-token';
import type { JwtStrategyParams } from '../../schemas/policy.schema';
import { fromClaims } from './foreign-token';

/**
 * tokenStrategy `jwt`: another issuer's JWT access tokens, verified locally
 * against configured keys and/or the issuer's JWKS. No store is read.
 * @throws Error at pipeline load for unusable keys, naming the key.
 */
export function jwtTokenStrategy(params: JwtStrategyParams, logger: EgLogger): (token: string) => Promise<ValidatedToken> {
  if (!params.keys && !params.jwksUri) throw new TypeError('oauth2 policy: jwt needs keys or a jwksUri');
  const verifier = new JwtVerifier({
    keys: params.keys ? loadKeys(params.keys, 'oauth2 policy: jwt.keys') : [],
    jwksUri: params.jwksUri,
    jwksTimeout: params.jwksTimeout,
    jwksCooldown: params.jwksCooldown,
    issuer: params.issuer,
    audience: params.audience,
    algorithms: params.algorithms,
    leeway: params.leeway
  });

  return async function validateForeignJwt(token: string): Promise<ValidatedToken> {
    try {
      return fromClaims(await verifier.verify(token), params.issuer);
    } catch (err) {
      if (err instanceof JwtRejected) throw new InvalidToken(err.reason.replace(/^The token/, 'The access token'), err.detail);
      if (err instanceof JwtKeysUnavailable) {
        logger.error(`oauth2 policy: ${err.message}`);
        throw new InvalidToken('The access token could not be validated');
      }
      throw err;
    }
  };
}
