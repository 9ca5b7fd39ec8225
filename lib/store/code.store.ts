import type { Redis } from 'ioredis';
import { digest } from '../tokens/token-value';
import type { PkceMethod } from '../pkce';

/** What an authorization code is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4). Times are epoch seconds. */
export interface CodeRecord {
  grantId: string;
  appId: string;
  redirectUri: string;
  /** Whether the authorization request named the redirect URI: then the token request must repeat it. */
  redirectUriGiven: boolean;
  userId: string;
  username: string;
  scope: string;
  challenge: string;
  challengeMethod: PkceMethod | '';
  exp: number;
}

/**
 * Authorization codes, stored under the SHA-256 digest of the code, expiring
 * with it. A code is consumed atomically: the first exchange marks it used,
 * and the record stays until expiry so that a replay can be recognised and
 * the tokens issued from it revoked (RFC 6749 §4.1.2).
 */
export class CodeStore {
  constructor(private readonly db: Redis, private readonly prefix: string) {}

  private key(code: string): string { return `${this.prefix}code:${digest(code)}`; }

  async save(code: string, record: CodeRecord): Promise<void> {
    const key = this.key(code);
    const hash: Record<string, string> = {};
    for (const [field, value] of Object.entries(record)) hash[field] = String(value);
    await this.db.multi().hmset(key, hash).pexpireat(key, record.exp * 1000).exec();
  }

  /**
   * Marks the code used and answers what it was bound to; `replayed` when it
   * had already been used. Null for an unknown or expired code.
   */
  async consume(code: string, now: number): Promise<{ record: CodeRecord; replayed: boolean } | null> {
    const key = this.key(code);
    const [[, first], [, hash]] = (await this.db.multi().hsetnx(key, 'usedAt', String(now)).hgetall(key).exec()) as [[null, number], [null, Record<string, string>]];
    if (!hash || !hash.grantId) {
      if (first === 1) await this.db.del(key); // hsetnx created a stray key for an unknown code
      return null;
    }
    const record: CodeRecord = {
      grantId: hash.grantId,
      appId: hash.appId,
      redirectUri: hash.redirectUri,
      redirectUriGiven: hash.redirectUriGiven === 'true',
      userId: hash.userId,
      username: hash.username,
      scope: hash.scope,
      challenge: hash.challenge,
      challengeMethod: hash.challengeMethod as CodeRecord['challengeMethod'],
      exp: Number(hash.exp)
    };
    if (record.exp <= now) return null;
    return { record, replayed: first !== 1 };
  }
}
