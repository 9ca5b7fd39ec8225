import type { EgLogger } from '../../lib/eg/types';
import { InvalidToken, TokenNotVerifiable } from '../../lib/errors';
import { JwtKeysUnavailable, JwtRejected, JwtVerifier } from '../../lib/keys/jwt-verifier';
import { loadKeys } from '../../lib/keys/key-entry';
import type { ValidatedToken } from '../../lib/tokens/validated-token';
import type { JwtStrategyParams } from '../../schemas/policy.schema';
import { fromClaims, requireSafeUrl } from './foreign-token';

/**
 * tokenStrategy `jwt`: another issuer's JWT access tokens, verified locally
 * against configured keys and/or the issuer's JWKS. No store is read.
 * @throws Error at pipeline load for unusable keys, naming the key.
 */
export function jwtTokenStrategy(params: JwtStrategyParams, logger: EgLogger): (token: string) => Promise<ValidatedToken> {
  if (!params.keys && !params.jwksUri) throw new TypeError('oauth2 policy: jwt needs keys or a jwksUri');
  if (params.jwksUri) requireSafeUrl(params.jwksUri, 'jwt.jwksUri');
  const verifier = new JwtVerifier({
    keys: params.keys ? loadKeys(params.keys, 'oauth2 policy: jwt.keys') : [],
    jwksUri: params.jwksUri,
    jwksTimeout: params.jwksTimeout,
    jwksCooldown: params.jwksCooldown,
    issuer: params.issuer,
    audience: params.audience,
    algorithms: params.algorithms,
    leeway: params.leeway,
    typ: params.typ,
    noun: 'access token',
    onJwksError: (message) => logger.error(`oauth2 policy: ${message}`)
  });

  return async function validateForeignJwt(token: string): Promise<ValidatedToken> {
    try {
      return fromClaims(await verifier.verify(token), params.issuer);
    } catch (err) {
      if (err instanceof JwtRejected) throw new InvalidToken(err.reason, err.detail);
      if (err instanceof JwtKeysUnavailable) throw new TokenNotVerifiable('The access token could not be validated', err.message);
      throw err;
    }
  };
}
