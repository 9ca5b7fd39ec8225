import type { StoreConnection } from './store-connection';
import { digest } from '../secret-value';
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
  /** The resources the authorization request named (RFC 8707), space separated; absent for none. */
  resources?: string;
  challenge: string;
  challengeMethod: PkceMethod | '';
  /** The DPoP key the code is bound to (RFC 9449 §10): its exchange needs a proof of it. */
  dpopJkt?: string;
  exp: number;
  /** When the code was issued, epoch ms (absent in a code of an earlier version). */
  issuedAt?: number;
  /** An OpenID Connect request's nonce, and when the user signed in: for its ID token (Core §3.1.3.6). */
  nonce?: string;
  authTime?: number;
  /** The sign-in's id, for its ID token and back-channel logout. */
  sid?: string;
  /** The claims the request's claims parameter asked for (Core §5.5), space separated: in the ID token, at UserInfo. */
  idTokenClaims?: string;
  userinfoClaims?: string;
}

/**
 * Authorization codes, stored under the SHA-256 digest of the code, expiring
 * with it. A code is read first and marked used only once its request has
 * proved to be the rightful client's: another client presenting it leaves it
 * untouched (RFC 6749 §4.1.3). Marking is atomic, and the record stays until
 * expiry so that a replay can be recognised and the tokens issued from it
 * revoked (RFC 6749 §4.1.2).
 */
export class CodeStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private key(code: string): string {
    return `${this.prefix}code:${digest(code)}`;
  }

  async save(code: string, record: CodeRecord): Promise<void> {
    const key = this.key(code);
    const hash: Record<string, string> = {};
    for (const [field, value] of Object.entries(record)) hash[field] = String(value);
    await this.db
      .multi()
      .hmset(key, hash)
      .pexpireat(key, record.exp * 1000)
      .exec();
  }

  /** What the code is bound to, and whether it was used; null for an unknown or expired code. Changes nothing. */
  async find(code: string, now: number): Promise<(CodeRecord & { used: boolean }) | null> {
    const hash: Record<string, string> = await this.db.hgetall(this.key(code));
    const { grantId, appId, redirectUri, userId, username, scope, challenge } = hash ?? {};
    // save() writes every field; a record missing one was not written here.
    if (
      !grantId ||
      appId === undefined ||
      redirectUri === undefined ||
      userId === undefined ||
      username === undefined ||
      scope === undefined ||
      challenge === undefined ||
      Number(hash.exp) <= now
    )
      return null;
    return {
      grantId,
      appId,
      redirectUri,
      redirectUriGiven: hash.redirectUriGiven === 'true',
      userId,
      username,
      scope,
      challenge,
      challengeMethod: hash.challengeMethod as CodeRecord['challengeMethod'],
      exp: Number(hash.exp),
      used: Boolean(hash.usedAt),
      ...(hash.resources === undefined ? {} : { resources: hash.resources }),
      ...(hash.dpopJkt === undefined ? {} : { dpopJkt: hash.dpopJkt }),
      ...(hash.nonce === undefined ? {} : { nonce: hash.nonce }),
      ...(hash.authTime === undefined ? {} : { authTime: Number(hash.authTime) }),
      ...(hash.sid === undefined ? {} : { sid: hash.sid }),
      ...(hash.issuedAt === undefined ? {} : { issuedAt: Number(hash.issuedAt) }),
      ...(hash.idTokenClaims === undefined ? {} : { idTokenClaims: hash.idTokenClaims }),
      ...(hash.userinfoClaims === undefined ? {} : { userinfoClaims: hash.userinfoClaims })
    };
  }

  /**
   * Marks a code used: 'first' for its first use, 'replayed' when a
   * concurrent request used it first, 'gone' when it expired meanwhile.
   */
  async markUsed(code: string, now: number): Promise<'first' | 'replayed' | 'gone'> {
    const key = this.key(code);
    const [[, first], [, grantId]] = (await this.db
      .multi()
      .hsetnx(key, 'usedAt', String(now))
      .hget(key, 'grantId')
      .exec()) as [[null, number], [null, string | null]];
    if (!grantId) {
      await this.db.del(key); // hsetnx re-created a key that had just expired
      return 'gone';
    }
    return first === 1 ? 'first' : 'replayed';
  }
}
