import type { StoreConnection } from './store-connection';
import { digest, randomSecret } from '../secret-value';

/** An initial access token as the admin who issued it sees it; the token itself only at issue. */
export interface IssuedInitialAccessToken {
  token: string;
  id: string;
  ownerId: string;
  uses: number;
  expiresAt: number;
}

/**
 * Admin-issued initial access tokens (RFC 7591 §3): each lets its bearer
 * register clients owned by one EG user, a given number of times, until it
 * expires. Stored under the token's digest, so a dump of Redis yields none;
 * the digest doubles as the token's public id.
 */
export class InitialAccessTokens {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private key(id: string): string {
    return `${this.prefix}initial-access:${id}`;
  }

  async issue(ownerId: string, ttl: number, uses: number): Promise<IssuedInitialAccessToken> {
    const token = randomSecret();
    const id = digest(token);
    const expiresAt = Math.floor(Date.now() / 1000) + ttl;
    await this.db
      .multi()
      .hmset(this.key(id), { ownerId, uses: String(uses) })
      .pexpireat(this.key(id), expiresAt * 1000)
      .exec();
    return { token, id, ownerId, uses, expiresAt };
  }

  /** The owner a live token registers for, without spending a use; null when unknown, expired or used up. */
  async ownerOf(token: string): Promise<string | null> {
    const [ownerId, uses] = await this.db.hmget(this.key(digest(token)), 'ownerId', 'uses');
    return ownerId && Number(uses) > 0 ? ownerId : null;
  }

  /**
   * Spends one use, atomically, so that concurrent registrations can never
   * exceed the count. A used-up token stays until it expires, so that a use
   * can be given back.
   * @returns false when the token is unknown, expired or used up
   */
  async spend(token: string): Promise<boolean> {
    const key = this.key(digest(token));
    const [[, left], [, ownerId]] = (await this.db.multi().hincrby(key, 'uses', -1).hget(key, 'ownerId').exec()) as [
      [null, number],
      [null, string | null]
    ];
    if (!ownerId) {
      await this.db.del(key); // hincrby made a stray key for an unknown token
      return false;
    }
    return left >= 0;
  }

  /** Gives back the use of a registration that then failed, if the token still exists. */
  async refund(token: string): Promise<void> {
    const key = this.key(digest(token));
    if (await this.db.exists(key)) await this.db.hincrby(key, 'uses', 1);
  }

  /** Withdraws a token, named by its id or by itself. @returns false when there was none. */
  async revoke(idOrToken: string): Promise<boolean> {
    // Two commands, not one DEL of two keys: on a cluster the keys may live on different nodes.
    const deleted = await Promise.all([this.db.del(this.key(idOrToken)), this.db.del(this.key(digest(idOrToken)))]);
    return deleted.some((count) => count > 0);
  }
}
