import { randomInt } from 'crypto';

/**
 * RFC 8628 §6.1: consonants only (no vowels, so no words; no look-alike
 * digits), 8 characters: 20^8 ≈ 2^34.6 codes, which with the throttle on
 * entry and a 10-minute life leaves guessing hopeless.
 */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

/** A new user code, shown as XXXX-XXXX for easy reading and typing. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the user typed, as stored: case, dashes and spaces do not matter
 * (RFC 8628 §6.1). Null for anything that cannot be a user code.
 */
export function normalizeUserCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LENGTH) return null;
  for (const char of code) if (!ALPHABET.includes(char)) return null;
  return code;
}
