import type { EgLogger } from '../eg/types';
import { InvalidToken, TokenNotVerifiable } from '../errors';
import { JwtKeysUnavailable, JwtRejected, JwtVerifier } from '../keys/jwt-verifier';
import { loadKeys } from '../keys/key-entry';
import type { RevocationFeed } from '../store/revocation-feed';
import { TokenCache } from '../tokens/token-cache';
import type { ValidatedToken } from '../tokens/validated-token';
import type { TokenStrategy } from './token-strategy';
import type { JwtStrategyParams } from '../../schemas/policy.schema';
import { fromClaims, requireSafeUrl } from './foreign-token';

/**
 * tokenStrategy `jwt`: another issuer's JWT access tokens, verified locally
 * against configured keys and/or the issuer's JWKS. No store is read. A
 * verified token is kept in memory by its digest for `cacheTtl` seconds, so a
 * repeated token costs no signature check; a revocation of its jti announced
 * on the feed drops it. Without a feed (a dry run of the settings) nothing is cached.
 * @param registered built from a registry entry, judged by the registry's rules when it was registered: its JWKS may be
 * on
 *   plain http off loopback and its HMAC secrets short, each with a warning then, or refused in strict mode
 * (server-weaknesses.ts).
 * @throws Error at pipeline load for unusable keys, naming the key.
 */
export function jwtTokenStrategy(
  params: JwtStrategyParams,
  feed: RevocationFeed | null,
  logger: EgLogger,
  { registered = false } = {}
): TokenStrategy {
  if (!params.keys && !params.jwksUri) throw new TypeError('oauth2 policy: jwt needs keys or a jwksUri');
  if (params.jwksUri && !registered) requireSafeUrl(params.jwksUri, 'jwt.jwksUri');
  const verifier = new JwtVerifier({
    keys: params.keys ? loadKeys(params.keys, 'oauth2 policy: jwt.keys', registered) : [],
    jwks: params.jwksUri
      ? {
          uri: params.jwksUri,
          timeout: params.jwksTimeout,
          cooldown: params.jwksCooldown,
          onError: (message) => logger.error(`oauth2 policy: ${message}`)
        }
      : undefined,
    issuer: params.issuer,
    audience: params.audience,
    algorithms: params.algorithms,
    leeway: params.leeway,
    typ: params.typ,
    noun: 'access token'
  });

  // Named by every rule the verdict depends on: pipelines share verified tokens only when they would judge them alike.
  const cacheName = `jwt ${JSON.stringify(params)}`;
  const cache =
    feed && params.cacheTtl > 0 ? TokenCache.shared(cacheName, cacheName, params.maxCacheEntries, feed) : null;

  async function validateForeignJwt(token: string): Promise<ValidatedToken> {
    const cached = cache?.get(token);
    if (cached) return cached;
    const generation = cache?.currentGeneration ?? 0;
    try {
      const validated = fromClaims(await verifier.verify(token), params.issuer ?? '');
      cache?.put(
        token,
        validated,
        Math.min(validated.expiresAt * 1000, Date.now() + params.cacheTtl * 1000),
        generation
      );
      return validated;
    } catch (err) {
      if (err instanceof JwtRejected) throw new InvalidToken(err.reason, err.detail);
      if (err instanceof JwtKeysUnavailable)
        throw new TokenNotVerifiable('The access token could not be validated', err.message);
      throw err;
    }
  }

  return Object.assign(validateForeignJwt, { recall: (token: string) => cache?.get(token) ?? null });
}
