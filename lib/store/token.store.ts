import type { Redis } from 'ioredis';
import { digest } from '../secret-value';
import type { RevocationEvent } from './revocation-feed';
import type { TokenKeys } from './token-keys';

/** What the store knows about an access or refresh token. Times are epoch seconds. */
export interface TokenRecord {
  /** A public, random identifier of this token (RFC 7519 jti), never the token itself. */
  jti: string;
  grantId: string;
  grantType: string;
  appId: string;
  /** Empty when the token was issued to the client itself (client_credentials). */
  userId: string;
  username: string;
  redirectUri: string;
  scope: string;
  iat: number;
  exp: number;
}

export interface RefreshTokenRecord extends TokenRecord {
  /**
   * When the grant began: its first token response. It travels through every
   * rotation and bounds the grant's life (refreshToken.maxLifetime). A record
   * written before this field existed reads its own iat.
   */
  grantStart: number;
  /** Set once the token has been exchanged (to the millisecond); a second exchange is a replay. */
  usedAt?: number;
}

/**
 * How an exchange of a rotating refresh token went: the first use, a use after the one at usedAt, or a token revoked
 * meanwhile.
 */
export type RefreshTokenUse = { use: 'first' } | { use: 'replayed'; usedAt: number } | { use: 'gone' };

export type Hash = Record<string, string>;

/** How a grant's set names a JWT access token it issued (not a key: JWTs are not stored). */
const JTI_MEMBER = 'jti:';

export function toRecord(hash: Hash): TokenRecord | null {
  const { jti, grantId, grantType, appId } = hash ?? {};
  const exp = Number(hash?.exp);
  // Fields toHash always writes: a record without one (or without a readable expiry) was not written by this store.
  if (!grantId || jti === undefined || grantType === undefined || appId === undefined || !Number.isFinite(exp)) {
    return null;
  }
  return {
    jti,
    grantId,
    grantType,
    appId,
    userId: hash.userId ?? '',
    username: hash.username ?? '',
    redirectUri: hash.redirectUri ?? '',
    scope: hash.scope ?? '',
    iat: Number(hash.iat),
    exp
  };
}

function toHash(record: TokenRecord): Hash {
  return {
    jti: record.jti,
    grantId: record.grantId,
    grantType: record.grantType,
    appId: record.appId,
    userId: record.userId,
    username: record.username,
    redirectUri: record.redirectUri,
    scope: record.scope,
    iat: String(record.iat),
    exp: String(record.exp)
  };
}

/**
 * Tokens in the gateway's Redis, under the plugin's key prefix, keyed by the
 * SHA-256 digest of the token. Every key expires with what it holds. Each
 * grant (one authorization, with all the tokens refreshed from it) keeps a
 * set of its token keys so that it can be revoked as a whole, and each app
 * and user a key per grant, found by SCAN to revoke them all. JWT access tokens are not stored: they are
 * revoked through a deny-list.
 */
export class TokenStore {
  /**
   * @param longestLife the longest life of any token (seconds): how long a revoked grant is
   *   remembered, so that its JWTs stay refused and tokens a concurrent request saves into it
   *   after the revocation are deleted too.
   * @param announce tells every gateway instance about a revocation (see RevocationFeed).
   */
  constructor(
    private readonly db: Redis,
    private readonly keys: TokenKeys,
    private readonly longestLife: number,
    private readonly announce: (event: RevocationEvent) => void
  ) {}

  /**
   * Stores freshly issued tokens of one grant atomically.
   * @param access the access token; its token is null for a JWT, which is not stored.
   * @param grantExpiresAt when the grant's index may go: the latest expiry of any of its tokens.
   * @returns false when the grant was revoked meanwhile: the tokens were deleted again and must not be handed out.
   */
  async saveIssued(
    access: { token: string | null; record: TokenRecord },
    refresh: { token: string; record: RefreshTokenRecord } | null,
    grantExpiresAt: number
  ): Promise<boolean> {
    const { grantId, appId, userId } = access.record;
    const grantKey = this.keys.grant(grantId);
    const saved: string[] = [];
    const tx = this.db.multi();
    const save = (key: string, hash: Hash, exp: number) => {
      saved.push(key);
      tx.hmset(key, hash)
        .pexpireat(key, exp * 1000)
        .sadd(grantKey, key);
    };
    if (access.token !== null) save(this.keys.access(access.token), toHash(access.record), access.record.exp);
    // A JWT is not stored, but its grant remembers its jti so that a revocation can name it to caches.
    else tx.sadd(grantKey, `${JTI_MEMBER}${access.record.jti}`);
    if (refresh) {
      const hash = { ...toHash(refresh.record), grantStart: String(refresh.record.grantStart) };
      save(this.keys.refresh(refresh.token), hash, refresh.record.exp);
    }
    for (const [owner, id] of [
      ['app', appId],
      ['user', userId]
    ] as const) {
      const index = id && this.keys.ownedGrant(owner, id, grantId);
      if (index) tx.set(index, '1').pexpireat(index, grantExpiresAt * 1000);
    }
    tx.pexpireat(grantKey, grantExpiresAt * 1000);
    tx.exists(this.keys.grantRevoked(grantId));
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    const [, grantRevoked] = results[results.length - 1] ?? [];
    if (grantRevoked === 1) {
      if (saved.length > 0) await this.db.del(...saved);
      return false;
    }
    return true;
  }

  async findRefreshToken(token: string): Promise<RefreshTokenRecord | null> {
    const hash: Hash = await this.db.hgetall(this.keys.refresh(token));
    const found = toRecord(hash);
    if (!found) return null;
    const record: RefreshTokenRecord = { ...found, grantStart: hash.grantStart ? Number(hash.grantStart) : found.iat };
    if (hash.usedAt) record.usedAt = Number(hash.usedAt);
    return record;
  }

  async findAccessToken(token: string): Promise<TokenRecord | null> {
    return toRecord(await this.db.hgetall(this.keys.access(token)));
  }

  /**
   * Marks a refresh token used at `now` (epoch seconds, to the millisecond),
   * atomically: of two concurrent requests exactly one is 'first', and the
   * other learns when that use was (RFC 9700 §4.14.2). 'gone' when the token
   * was revoked meanwhile.
   */
  async markRefreshTokenUsed(token: string, now: number): Promise<RefreshTokenUse> {
    const key = this.keys.refresh(token);
    const [[, first], [, grantId], [, usedAt]] = (await this.db
      .multi()
      .hsetnx(key, 'usedAt', now.toFixed(3))
      .hget(key, 'grantId')
      .hget(key, 'usedAt')
      .exec()) as [[null, number], [null, string | null], [null, string | null]];
    if (!grantId) {
      await this.db.del(key); // hsetnx re-created a key a revocation had just deleted
      return { use: 'gone' };
    }
    return first === 1 ? { use: 'first' } : { use: 'replayed', usedAt: Number(usedAt) };
  }

  /**
   * Deletes every token of a grant, and remembers the revocation: a token
   * saved into the grant by a concurrent request is deleted as well, and the
   * grant's JWT access tokens are refused until they expire.
   */
  async revokeGrant(grantId: string): Promise<void> {
    const { live: _live, ...revoked } = await this.deleteGrant(grantId);
    this.announce(revoked);
  }

  /**
   * Marks a grant revoked and deletes its tokens. `live`: the grant still had
   * tokens and was not revoked before, so this call is what revoked it.
   */
  private async deleteGrant(
    grantId: string
  ): Promise<Required<Pick<RevocationEvent, 'grants' | 'tokens' | 'jtis'>> & { live: boolean }> {
    const grantKey = this.keys.grant(grantId);
    const first = await this.db.set(this.keys.grantRevoked(grantId), '1', 'EX', this.longestLife, 'NX');
    if (first === null) await this.db.expire(this.keys.grantRevoked(grantId), this.longestLife);
    const members: string[] = await this.db.smembers(grantKey);
    const jtis = members.filter((m) => m.startsWith(JTI_MEMBER)).map((m) => m.slice(JTI_MEMBER.length));
    const keys = members.filter((m) => !m.startsWith(JTI_MEMBER));
    await this.db.del(...keys, grantKey);
    return {
      grants: [grantId],
      tokens: keys.map((key) => this.keys.digestOf(key)),
      jtis,
      live: first !== null && members.length > 0
    };
  }

  /** Revokes one opaque access token (RFC 7009), leaving the rest of its grant alone. */
  async revokeAccessToken(token: string): Promise<void> {
    const tokenDigest = digest(token);
    await this.db.del(this.keys.accessByDigest(tokenDigest));
    this.announce({ tokens: [tokenDigest] });
  }

  /** Revokes one JWT access token: its jti is refused until the token expires anyway. */
  async denyJwt(jti: string, exp: number): Promise<void> {
    const remaining = Math.ceil(exp - Date.now() / 1000);
    if (remaining > 0) await this.db.set(this.keys.jtiRevoked(jti), '1', 'EX', remaining);
    this.announce({ jtis: [jti] });
  }

  /**
   * Revokes every grant of an app or a user. @returns how many live grants this call revoked (none already revoked or
   * expired).
   */
  async revokeAllOf(owner: 'app' | 'user', id: string): Promise<number> {
    const ownedBy = this.keys.ownedGrantPrefix(owner, id);
    const indexKeys = (await this.scanAll(this.keys.ownedGrantPattern(owner, id))).filter((key) =>
      key.startsWith(ownedBy)
    );
    const revoked: Required<Pick<RevocationEvent, 'grants' | 'tokens' | 'jtis'>> = { grants: [], tokens: [], jtis: [] };
    let live = 0;
    for (const indexKey of indexKeys) {
      const one = await this.deleteGrant(indexKey.slice(ownedBy.length));
      if (one.live) live++;
      revoked.grants.push(...one.grants);
      revoked.tokens.push(...one.tokens);
      revoked.jtis.push(...one.jtis);
    }
    // Only the grants revoked here leave the index: one a concurrent request added stays, for the next call.
    if (indexKeys.length > 0) await this.db.del(...indexKeys);
    this.announce({ ...revoked, ...(owner === 'app' ? { apps: [id] } : { users: [id] }) });
    return live;
  }

  /**
   * Every key matching a pattern, by SCAN (never KEYS, which blocks Redis): an admin operation's cost, not a request's.
   */
  private async scanAll(pattern: string): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.db.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }
}
