import { createHash, randomBytes } from 'crypto';

/** 256 random bits, base64url: well above RFC 6749 §10.10's 128-bit floor. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps instead of a token or secret: a dump of Redis yields nothing usable. */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
