import type { Redis } from 'ioredis';
import { digest } from '../tokens/token-value';
import type { EgKeys } from './eg-keys';

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
  /** Set once the token has been exchanged; a second exchange is a replay. */
  usedAt?: number;
}

/** One pipelined read: the token and the live status of everything it depends on. */
export interface BearerSnapshot {
  token: TokenRecord | null;
  app: Record<string, string>;
  credentialActive: string | null;
  userActive: string | null;
}

type Hash = Record<string, string>;

function toRecord(hash: Hash): TokenRecord | null {
  if (!hash || !hash.grantId) return null;
  return {
    jti: hash.jti,
    grantId: hash.grantId,
    grantType: hash.grantType,
    appId: hash.appId,
    userId: hash.userId ?? '',
    username: hash.username ?? '',
    redirectUri: hash.redirectUri ?? '',
    scope: hash.scope ?? '',
    iat: Number(hash.iat),
    exp: Number(hash.exp)
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
 * set of its token keys so that it can be revoked as a whole.
 */
export class TokenStore {
  /**
   * @param revokedGrantMemory how long (seconds) a revoked grant is remembered, so that tokens a
   *   concurrent request saves into it after the revocation are deleted too: the longest token life.
   */
  constructor(
    private readonly db: Redis,
    private readonly prefix: string,
    private readonly eg: EgKeys,
    private readonly revokedGrantMemory: number
  ) {}

  private accessKey(token: string): string { return `${this.prefix}at:${digest(token)}`; }
  private refreshKey(token: string): string { return `${this.prefix}rt:${digest(token)}`; }
  private grantKey(grantId: string): string { return `${this.prefix}grant:${grantId}`; }
  private revokedKey(grantId: string): string { return `${this.prefix}grant-revoked:${grantId}`; }

  /**
   * Stores freshly issued tokens of one grant atomically.
   * @param grantExpiresAt when the grant's index may go: the latest expiry of any of its tokens.
   * @returns false when the grant was revoked meanwhile: the tokens were deleted again and must not be handed out.
   */
  async saveIssued(
    access: { token: string; record: TokenRecord },
    refresh: { token: string; record: TokenRecord } | null,
    grantExpiresAt: number
  ): Promise<boolean> {
    const grantId = access.record.grantId;
    const grantKey = this.grantKey(grantId);
    const keys = [this.accessKey(access.token)];
    const tx = this.db.multi();
    tx.hmset(keys[0], toHash(access.record)).pexpireat(keys[0], access.record.exp * 1000).sadd(grantKey, keys[0]);
    if (refresh) {
      keys.push(this.refreshKey(refresh.token));
      tx.hmset(keys[1], toHash(refresh.record)).pexpireat(keys[1], refresh.record.exp * 1000).sadd(grantKey, keys[1]);
    }
    tx.pexpireat(grantKey, grantExpiresAt * 1000).exists(this.revokedKey(grantId));
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    if (results[results.length - 1][1] === 1) {
      await this.db.del(...keys);
      return false;
    }
    return true;
  }

  async findRefreshToken(token: string): Promise<RefreshTokenRecord | null> {
    const hash: Hash = await this.db.hgetall(this.refreshKey(token));
    const record: RefreshTokenRecord | null = toRecord(hash);
    if (record && hash.usedAt) record.usedAt = Number(hash.usedAt);
    return record;
  }

  /**
   * Marks a refresh token used: 'first' for its first use, 'replayed' when it
   * already was (RFC 9700 §4.14.2), 'gone' when it was revoked meanwhile.
   */
  async markRefreshTokenUsed(token: string, now: number): Promise<'first' | 'replayed' | 'gone'> {
    const key = this.refreshKey(token);
    const [[, first], [, grantId]] = (await this.db.multi().hsetnx(key, 'usedAt', String(now)).hget(key, 'grantId').exec()) as [[null, number], [null, string | null]];
    if (!grantId) {
      await this.db.del(key); // hsetnx re-created a key a revocation had just deleted
      return 'gone';
    }
    return first === 1 ? 'first' : 'replayed';
  }

  /**
   * Deletes every token of a grant, and remembers the revocation so that a
   * token saved into the grant by a concurrent request is deleted as well.
   */
  async revokeGrant(grantId: string): Promise<void> {
    const grantKey = this.grantKey(grantId);
    await this.db.set(this.revokedKey(grantId), '1', 'EX', this.revokedGrantMemory);
    const keys: string[] = await this.db.smembers(grantKey);
    await this.db.del(...keys, grantKey);
  }

  /**
   * Reads an access token together with its app, its app's oauth2 credential
   * status and its user's status, in one pipeline: one round trip.
   */
  async readBearer(token: string, appId: string, userId: string): Promise<BearerSnapshot> {
    const pipeline = this.db.pipeline()
      .hgetall(this.accessKey(token))
      .hgetall(this.eg.application(appId))
      .hget(this.eg.oauth2Credential(appId), 'isActive');
    if (userId) pipeline.hget(this.eg.user(userId), 'isActive');
    const results = (await pipeline.exec()) as Array<[Error | null, unknown]>;
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    return {
      token: toRecord(results[0][1] as Hash),
      app: results[1][1] as Hash,
      credentialActive: results[2][1] as string | null,
      userActive: userId ? (results[3][1] as string | null) : null
    };
  }
}
