import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'crypto';
import fs from 'fs';

import { KEY_ALGORITHMS } from '../../schemas/settings.schema';

/** JWS algorithms the plugin signs and verifies with (RFC 7518, RFC 8037). `none` is never one of them. */
export type JwsAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** A key as written in settings or policy parameters. */
export interface KeySpec {
  kid?: string;
  alg: JwsAlgorithm;
  /** An HMAC secret, or a PEM key (private, public or certificate). */
  key?: string;
  /** A file holding `key`. */
  keyFile?: string;
}

/** A key ready for jose: what verifies, and what signs when the private half (or the secret) is known. */
export interface KeyEntry {
  kid?: string | undefined;
  alg: JwsAlgorithm;
  verifyKey: KeyObject;
  signKey?: KeyObject | undefined;
}

/** A key that cannot be used as configured; the message names it and says why. */
export class KeyError extends TypeError {}

const CURVES: Partial<Record<JwsAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1' };

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output. */
function minimumSecretBytes(alg: JwsAlgorithm): number {
  return Number(alg.slice(2)) / 8;
}

/**
 * Refuses a key whose type does not fit its algorithm, so that an RSA public
 * key can never be taken as an HMAC secret (algorithm confusion) and a
 * misconfigured key fails at start, not on the first request.
 */
export function checkFit(alg: JwsAlgorithm, key: KeyObject): void {
  if (alg.startsWith('HS')) {
    if (key.type !== 'secret') throw new KeyError(`${alg} needs a shared secret, not a ${key.type} key`);
    if ((key.symmetricKeySize ?? 0) < minimumSecretBytes(alg)) {
      throw new KeyError(`an ${alg} secret must be at least ${minimumSecretBytes(alg)} bytes long (RFC 7518 §3.2)`);
    }
    return;
  }
  const type = key.asymmetricKeyType;
  const fits =
    (alg.startsWith('RS') && type === 'rsa') ||
    // Plain RSA only: an rsa-pss key may be bound to another hash, and cannot be published as a JWK.
    (alg.startsWith('PS') && type === 'rsa') ||
    (alg.startsWith('ES') && type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVES[alg]) ||
    (alg === 'EdDSA' && (type === 'ed25519' || type === 'ed448'));
  if (!fits) throw new KeyError(`${alg} cannot be used with this ${type ?? key.type} key`);
  if (type?.startsWith('rsa') && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new KeyError(`${alg} needs an RSA key of at least 2048 bits (RFC 7518 §3.3)`);
  }
}

function material(spec: KeySpec): string {
  if (spec.key !== undefined && spec.keyFile !== undefined) throw new KeyError('give either key or keyFile, not both');
  if (spec.key !== undefined) return spec.key;
  if (spec.keyFile !== undefined) {
    try {
      return fs.readFileSync(spec.keyFile, 'utf8');
    } catch (err) {
      throw new KeyError(`keyFile ${spec.keyFile} cannot be read: ${(err as Error).message}`);
    }
  }
  throw new KeyError('a key or keyFile is required');
}

/** Turns a key spec into key objects; synchronous, so it can run in a plugin's init. */
/**
 * @param shortSecrets take an HMAC secret shorter than its hash (a registry entry from Janus, warned about when
 * registered).
 */
export function loadKey(spec: KeySpec, shortSecrets = false): KeyEntry {
  const text = material(spec);
  if (spec.alg.startsWith('HS')) {
    // A public key is public: taken as an HMAC secret, anyone holding it could sign tokens.
    if (/-----BEGIN|^\s*(ssh-|ecdsa-)/.test(text))
      throw new KeyError(`${spec.alg} needs a shared secret; this looks like a PEM or SSH key`);
    const secret = createSecretKey(Buffer.from(text, 'utf8'));
    if (!shortSecrets) checkFit(spec.alg, secret);
    return { kid: spec.kid, alg: spec.alg, verifyKey: secret, signKey: secret };
  }
  if (!text.includes('-----BEGIN')) throw new KeyError(`${spec.alg} needs a PEM key`);
  let signKey: KeyObject | undefined;
  let verifyKey: KeyObject;
  try {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      signKey = createPrivateKey(text);
      verifyKey = createPublicKey(signKey);
    } else {
      verifyKey = createPublicKey(text);
    }
  } catch (err) {
    throw new KeyError(`the PEM key cannot be read: ${(err as Error).message}`);
  }
  checkFit(spec.alg, verifyKey);
  return { kid: spec.kid, alg: spec.alg, verifyKey, signKey };
}

/**
 * Loads a list of keys, naming the failing one in the error (`where[2]: ...`).
 * Janus's legacy form `{ secret }` is one HS256 key.
 */
export function loadKeys(specs: KeySpec[] | { secret: string }, where: string, shortSecrets = false): KeyEntry[] {
  const list: KeySpec[] = Array.isArray(specs) ? specs : [{ alg: 'HS256', key: specs.secret }];
  return list.map((spec, index) => {
    try {
      return loadKey(spec, shortSecrets);
    } catch (err) {
      throw new KeyError(`${where}${Array.isArray(specs) ? `[${index}]` : '.secret'}: ${(err as Error).message}`);
    }
  });
}
