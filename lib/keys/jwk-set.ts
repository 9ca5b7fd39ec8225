import { createPublicKey, JsonWebKey } from 'crypto';
import { KEY_ALGORITHMS } from '../../schemas/settings.schema';
import { checkFit, JwsAlgorithm, KeyEntry, KeyError } from './key-entry';

/** The algorithm a JWK without `alg` is used with: the usual one for its key type. */
function defaultAlgorithm(jwk: JsonWebKey): JwsAlgorithm | undefined {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return jwk.crv === 'P-256' ? 'ES256' : jwk.crv === 'P-384' ? 'ES384' : undefined;
  if (jwk.kty === 'OKP') return jwk.crv === 'Ed25519' || jwk.crv === 'Ed448' ? 'EdDSA' : undefined;
  return undefined;
}

/**
 * The public keys of a JWK Set given as JSON text (an app's `jwks`
 * property, RFC 7591 §2). Only asymmetric public keys: a shared secret in
 * an app property would be readable by anyone with admin API access.
 * @throws KeyError saying which key is unusable and why.
 */
export function keysFromJwkSet(json: string): KeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new KeyError('the JWK Set is not valid JSON');
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeyError('the JWK Set has no "keys" array');
  return keys.map((jwk: JsonWebKey & { kid?: unknown; alg?: unknown; use?: unknown }, index) => {
    if (jwk?.d !== undefined || jwk?.kty === 'oct') throw new KeyError(`keys[${index}] must be a public key`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new KeyError(`keys[${index}] is not a signing key`);
    const alg = (typeof jwk.alg === 'string' ? jwk.alg : defaultAlgorithm(jwk)) as JwsAlgorithm | undefined;
    if (!alg || !(KEY_ALGORITHMS as readonly string[]).includes(alg) || alg.startsWith('HS')) {
      throw new KeyError(`keys[${index}] has no usable alg`);
    }
    try {
      const verifyKey = createPublicKey({ key: jwk, format: 'jwk' });
      checkFit(alg, verifyKey);
      return { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg, verifyKey };
    } catch (err) {
      throw new KeyError(`keys[${index}]: ${(err as Error).message}`);
    }
  });
}
