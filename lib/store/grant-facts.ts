import type { StoreConnection } from './store-connection';
import type { TokenKeys } from './token-keys';
import { toRecord, type Hash } from './token.store';

/**
 * What one live grant is, as a user sees it on the "Connected apps" page and
 * the operator on the admin API: the app it was given to, by whom, the
 * scopes, when it was given and last used (its last token issued: the bearer
 * check writes nothing, so an API call is no use), and when it ends unless
 * used again. Times are epoch seconds.
 */
export interface GrantFacts {
  grantId: string;
  appId: string;
  /** Empty for the client's own grant (client_credentials). */
  userId: string;
  grantType: string;
  scope: string;
  grantedAt: number;
  lastUsedAt: number;
  expiresAt: number;
  /** The claims its authorization request asked for (OpenID Connect Core §5.5), beside its scopes': at UserInfo, in ID
   * tokens. */
  userinfoClaims?: string[];
  idTokenClaims?: string[];
}

/**
 * Reads grants' facts, each in one round trip to its slot with its
 * revocation marker: a revoked grant, or one that has ended, is left out. A
 * grant an earlier version issued has no facts: those of its refresh token
 * stand in (an earlier grant with no refresh token ends with its access
 * token, within accessToken.ttl of the upgrade).
 */
export class GrantFactsReader {
  constructor(
    private readonly db: StoreConnection,
    private readonly keys: TokenKeys
  ) {}

  /**
   * The claims a grant's authorization request asked UserInfo for (one field: UserInfo's validator checked the
   * rest).
   */
  async userinfoClaims(grantId: string): Promise<string[]> {
    const value: string | null = await this.db.hget(this.keys.grantFacts(grantId), 'userinfoClaims');
    return value ? value.split(' ') : [];
  }

  async read(grantIds: readonly string[]): Promise<GrantFacts[]> {
    const found: GrantFacts[] = [];
    for (let i = 0; i < grantIds.length; i += BATCH) {
      const batch = await Promise.all(grantIds.slice(i, i + BATCH).map((grantId) => this.readOne(grantId)));
      for (const facts of batch) if (facts) found.push(facts);
    }
    return found;
  }

  private async readOne(grantId: string): Promise<GrantFacts | null> {
    const factsKey = this.keys.grantFacts(grantId);
    const [[, hash], [, revoked], [, factsTtl]] = (await this.db
      .pipeline()
      .hgetall(factsKey)
      .exists(this.keys.grantRevoked(grantId))
      .pttl(factsKey)
      .exec()) as [[null, Hash], [null, number], [null, number]];
    if (revoked === 1) return null;
    const now = Date.now();
    if (hash?.appId !== undefined && factsTtl > 0) {
      return {
        grantId,
        appId: hash.appId,
        userId: hash.userId ?? '',
        grantType: hash.grantType ?? '',
        scope: hash.scope ?? '',
        grantedAt: Number(hash.grantedAt),
        lastUsedAt: Number(hash.lastUsedAt),
        expiresAt: Math.floor((now + factsTtl) / 1000),
        ...(hash.userinfoClaims ? { userinfoClaims: hash.userinfoClaims.split(' ') } : {}),
        ...(hash.idTokenClaims ? { idTokenClaims: hash.idTokenClaims.split(' ') } : {})
      };
    }
    // Only a grant an earlier version issued: its set (which grows with every rotation) is read for its refresh tokens.
    const grantKey = this.keys.grant(grantId);
    const [[, members], [, grantTtl]] = (await this.db.pipeline().smembers(grantKey).pttl(grantKey).exec()) as [
      [null, string[]],
      [null, number]
    ];
    // The grant's set keeps the keys of its rotated refresh tokens too, some expired: the live one with the latest exp.
    const refreshKeys = members.filter((member) => this.keys.isRefresh(member));
    if (refreshKeys.length === 0 || grantTtl <= 0) return null;
    const reads = this.db.pipeline();
    for (const key of refreshKeys) reads.hgetall(key);
    const hashes = ((await reads.exec()) as Array<[Error | null, Hash]>).map(([, one]) => one);
    const [refreshHash, record] = hashes
      .map((one) => [one, toRecord(one)] as const)
      .filter((pair): pair is readonly [Hash, NonNullable<ReturnType<typeof toRecord>>] => pair[1] !== null)
      .sort(([, a], [, b]) => b.exp - a.exp)[0] ?? [undefined, null];
    if (!refreshHash || !record) return null;
    return {
      grantId,
      appId: record.appId,
      userId: record.userId,
      grantType: record.grantType,
      scope: record.scope,
      grantedAt: refreshHash.grantStart ? Number(refreshHash.grantStart) : record.iat,
      lastUsedAt: record.iat,
      expiresAt: Math.floor((now + grantTtl) / 1000)
    };
  }
}

/** Grants read at once: a user's are few; the admin API's listing of a busy app reads at most a page of them. */
const BATCH = 64;
