import { createHash, timingSafeEqual } from 'crypto';

export type PkceMethod = 'S256' | 'plain';

/** RFC 7636 §4.1-4.2: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER_OR_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isWellFormed(value: unknown): value is string {
  return typeof value === 'string' && VERIFIER_OR_CHALLENGE.test(value);
}

/** RFC 7636 §4.6: does the verifier hash (or equal, for plain) to the challenge? Compared in constant time. */
export function verifierMatches(verifier: string, challenge: string, method: PkceMethod): boolean {
  if (!isWellFormed(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(derived);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
