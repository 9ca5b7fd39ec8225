import { createHash } from 'crypto';
import type { StoreConnection } from './store-connection';

/**
 * Remembers assertion identifiers (a JWT's `jti`, a SAML assertion's ID)
 * until the assertion expires, so each is accepted once (RFC 7523 §3
 * item 7, RFC 7522 §3 item 9), on every gateway instance. The identifier is
 * hashed: it is the issuer's data, of any length.
 */
export class ReplayGuard {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  /**
   * Records the identifier; false when it was seen before.
   * @param scope who issued it (identifiers are only unique per issuer)
   * @param expiresAt epoch seconds after which the assertion is refused anyway
   * @param leeway seconds the expiry check forgives, for which it must still be remembered
   */
  async firstUse(scope: string, id: string, expiresAt: number, leeway: number): Promise<boolean> {
    const digest = createHash('sha256').update(scope).update('\0').update(id).digest('base64url');
    const ttlMs = Math.max(1000, Math.ceil((expiresAt + leeway) * 1000 - Date.now()));
    return (await this.db.set(`${this.prefix}seen:${digest}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
