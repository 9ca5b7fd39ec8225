import { createHmac, hkdfSync, timingSafeEqual } from 'crypto';

/** Seconds one nonce is the current one; the one before it is still taken, so a nonce lives one to two windows. */
export const DPOP_NONCE_WINDOW_S = 120;

/**
 * How a proof's `nonce` stands: this window's (or the next one's, from an instance whose clock runs a little ahead),
 * the last window's (take it, send a new one), or not ours.
 */
export type NonceStanding = 'current' | 'previous' | 'invalid';

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9): `<window>.<MAC>`, the window a count of DPOP_NONCE_WINDOW_S
 * since the epoch, the MAC an HMAC of it under a key derived from the session secret, which every instance of
 * a gateway shares. So any instance checks a nonce another gave, and nothing is stored.
 */
export class DpopNonces {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, '', 'express-gateway-plugin-oauth2 dpop nonce', 32));
  }

  private mac(window: number): string {
    return createHmac('sha256', this.key).update(String(window)).digest('base64url').slice(0, 22);
  }

  private static windowAt(now: number): number {
    return Math.floor(now / 1000 / DPOP_NONCE_WINDOW_S);
  }

  /** The nonce to hand out now (the `DPoP-Nonce` header). */
  current(now = Date.now()): string {
    const window = DpopNonces.windowAt(now);
    return `${window}.${this.mac(window)}`;
  }

  standing(nonce: unknown, now = Date.now()): NonceStanding {
    if (typeof nonce !== 'string' || nonce.length > 64) return 'invalid';
    const match = /^(\d{1,12})\.([\w-]{22})$/.exec(nonce);
    if (!match) return 'invalid';
    const window = Number(match[1]);
    const current = DpopNonces.windowAt(now);
    if (window < current - 1 || window > current + 1) return 'invalid';
    const expected = Buffer.from(this.mac(window));
    if (!timingSafeEqual(expected, Buffer.from(match[2]!))) return 'invalid';
    return window < current ? 'previous' : 'current';
  }
}
