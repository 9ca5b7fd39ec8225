import type { Pipeline } from 'ioredis';
import { digest } from '../secret-value';
import { parseAccessToken, refreshTokenGrant } from '../tokens/token-value';
import type { StoreConnection } from './store-connection';
import { Owner, OwnerIndex, RedisOwnerIndex } from './owner-index';
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
  /**
   * The resources the token was issued for (RFC 8707), space separated (URLs hold no space); '' for none. A refresh
   * token's are its grant's: what its refreshes may name.
   */
  resources: string;
  /** Who acts for the subject (RFC 8693 §4.1 `act`), as JSON; absent for a token without an actor. */
  act?: string;
  /**
   * The thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1 `cnf.jkt`); absent for a bearer token. A
   * refresh token carries one only when issued to a public client (§5).
   */
  jkt?: string;
  /**
   * The SHA-256 thumbprint of the client certificate the token is bound to (RFC 8705 §3.1 `cnf.x5t#S256`); a refresh
   * token carries one only when issued to a public client (§4).
   */
  x5t?: string;
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
  /** An OpenID Connect sign-in's grant, whose refreshes return ID tokens (Core §12.2), and when the user signed in. */
  openId?: true;
  authTime?: number;
  /** The sign-in's id, for the `sid` of the ID tokens of its refreshes (Back-Channel Logout 1.0 §2.1). */
  sid?: string;
  /** The claims its ID tokens carry at the authorization request's ask (Core §5.5), space separated. */
  idTokenClaims?: string;
}

/**
 * How an exchange of a rotating refresh token went: the first use, a use after the one at usedAt, or a token revoked
 * meanwhile.
 */
export type RefreshTokenUse = { use: 'first' } | { use: 'replayed'; usedAt: number } | { use: 'gone' };

export type Hash = Record<string, string>;

/** How earlier versions named a JWT access token in its grant's set (JWTs are not stored). */
const JTI_MEMBER = 'jti:';

type RevokedFacts = Required<Pick<RevocationEvent, 'grants' | 'tokens' | 'jtis'>>;

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
    resources: hash.resources ?? '',
    ...(hash.act === undefined ? {} : { act: hash.act }),
    ...(hash.jkt ? { jkt: hash.jkt } : {}),
    ...(hash.x5t ? { x5t: hash.x5t } : {}),
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
    ...(record.resources ? { resources: record.resources } : {}),
    ...(record.act === undefined ? {} : { act: record.act }),
    ...(record.jkt ? { jkt: record.jkt } : {}),
    ...(record.x5t ? { x5t: record.x5t } : {}),
    iat: String(record.iat),
    exp: String(record.exp)
  };
}

/**
 * Appends the writing of a grant's facts to the transaction that saves its
 * tokens (same slot): who and what, when it began, this issuance as its last
 * use. The scope is the grant's: a rotation's refresh token carries it (RFC
 * 6749 §6: unchanged); an issuance without one (the first of a grant with no
 * refresh token, or a refresh that does not rotate, whose access token may
 * be narrower) keeps the scope already written.
 * @param grantScope the scope of the grant's new refresh token, when there is one.
 */
function writeGrantFacts(
  tx: Pipeline,
  key: string,
  access: TokenRecord,
  grantScope: string | undefined,
  grantedAt: number,
  endsAtMs: number
): void {
  tx.hmset(key, {
    appId: access.appId,
    userId: access.userId,
    grantType: access.grantType,
    grantedAt: String(grantedAt),
    lastUsedAt: String(access.iat),
    ...(grantScope === undefined ? {} : { scope: grantScope })
  });
  if (grantScope === undefined) tx.hsetnx(key, 'scope', access.scope);
  tx.pexpireat(key, endsAtMs);
}

/**
 * Tokens in the plugin's store, under the plugin's key prefix, keyed by the
 * SHA-256 digest of the token. Every key expires with what it holds.
 *
 * A grant (one authorization, with all the tokens refreshed from it) is
 * revoked by a marker every check of its access tokens reads in the same
 * round trip as the token (its tokens name their grant), and by deleting its
 * refresh tokens, which its set lists; so issuing an access token adds
 * nothing to any set, however often a grant is refreshed. Each app and user
 * has an index of its grants (owner-index.ts), to revoke them all without a
 * keyspace SCAN. JWT access tokens are not stored: they are revoked through a
 * deny-list and the same marker.
 */
export class TokenStore {
  /**
   * @param longestLife the longest life of any token (seconds): how long a revoked grant is
   *   remembered, so that its access tokens stay refused and tokens a concurrent request saves
   *   into it after the revocation are deleted too.
   * @param announce tells every gateway instance about a revocation (see RevocationFeed).
   * @param mayHoldLegacy whether an earlier version may have written here (EG's Redis; not a store
   *   of the plugin's own, nor the emulated store): then, for longestLife after this version last
   *   started here, revoking all of an app's or user's grants also looks for the grants the earlier
   *   version indexed by a key each, by SCAN.
   * @param owners the index of each app's and user's grants (in Redis, or in this process on the emulated store).
   */
  constructor(
    private readonly db: StoreConnection,
    private readonly keys: TokenKeys,
    private readonly longestLife: number,
    private readonly announce: (event: RevocationEvent) => void,
    private readonly mayHoldLegacy = false,
    private readonly owners: OwnerIndex = new RedisOwnerIndex(db, keys, longestLife)
  ) {}

  /**
   * Records that an instance of this version starts here: at every start, so that a rolling upgrade, or an upgrade
   * again after a rollback, keeps the legacy index read until the last grant an earlier version indexed has ended.
   */
  async noteIndexLayout(): Promise<void> {
    await this.db.set(this.keys.ownedGrantsSince(), String(Date.now()));
  }

  /**
   * Stores freshly issued tokens of one grant atomically: one MULTI in the
   * grant's slot, with the grant's entry in its app's and user's index on
   * one Redis, or beside it in the same round trip on a cluster.
   * @param access the access token; its token is null for a JWT, which is not stored.
   * @param grantExpiresAt when the grant's index may go: the latest expiry of any of its tokens.
   * @param grantedAt when the grant began (epoch seconds): kept in its facts (GrantFacts) with this issuance as its
   *   last use.
   * @param requestedClaims the claims its authorization request asked for (Core §5.5): kept in its facts.
   * @returns false when the grant was revoked meanwhile: the tokens were deleted again and must not be handed out.
   */
  async saveIssued(
    access: { token: string | null; record: TokenRecord },
    refresh: { token: string; record: RefreshTokenRecord } | null,
    grantExpiresAt: number,
    grantedAt: number,
    requestedClaims?: { userinfo: string[]; idToken: string[] },
    /** A token joining a live grant from outside it (a token exchanged at the policy): its facts and indexes stay. */
    joinOnly = false
  ): Promise<boolean> {
    const { grantId, appId, userId } = access.record;
    const saved: string[] = [];
    const tx = this.db.multi();
    const save = (key: string | null, hash: Hash, exp: number) => {
      if (key === null) throw new Error('a token of a shape the store cannot name');
      saved.push(key);
      tx.hmset(key, hash).pexpireat(key, exp * 1000);
    };
    if (access.token !== null) save(this.keys.access(access.token), toHash(access.record), access.record.exp);
    if (refresh) {
      const hash: Hash = { ...toHash(refresh.record), grantStart: String(refresh.record.grantStart) };
      if (refresh.record.openId) hash.openId = '1';
      if (refresh.record.authTime !== undefined) hash.authTime = String(refresh.record.authTime);
      if (refresh.record.sid !== undefined) hash.sid = refresh.record.sid;
      if (refresh.record.idTokenClaims !== undefined) hash.idTokenClaims = refresh.record.idTokenClaims;
      save(this.keys.refresh(refresh.token), hash, refresh.record.exp);
      const grantKey = this.keys.grant(grantId);
      tx.sadd(grantKey, saved[saved.length - 1]!).pexpireat(grantKey, grantExpiresAt * 1000);
    }
    const endsAt = grantExpiresAt * 1000;
    const factsKey = this.keys.grantFacts(grantId);
    // A user's grant only: a client's own (client_credentials, a grant per token) would double what its tokens cost.
    if (userId && !joinOnly) {
      writeGrantFacts(tx, factsKey, access.record, refresh?.record.scope, grantedAt, endsAt);
      if (requestedClaims) {
        tx.hmset(factsKey, {
          userinfoClaims: requestedClaims.userinfo.join(' '),
          idTokenClaims: requestedClaims.idToken.join(' ')
        });
      }
    }
    const indexedApart: Array<[Owner, string]> = [];
    for (const [owner, id] of joinOnly ? [] : [['app', appId] as const, ['user', userId] as const]) {
      if (id && !this.owners.addWithin?.(tx, owner, id, grantId, endsAt)) indexedApart.push([owner, id]);
    }
    tx.exists(this.keys.grantRevoked(grantId));
    const [results] = await Promise.all([
      tx.exec() as Promise<Array<[Error | null, unknown]>>,
      ...indexedApart.map(([owner, id]) => this.owners.add(owner, id, grantId, endsAt))
    ]);
    const [, grantRevoked] = results[results.length - 1] ?? [];
    if (grantRevoked === 1) {
      await this.db.del(...saved, factsKey);
      return false;
    }
    return true;
  }

  /** A refresh token's record; null when it is unknown, expired or its grant was revoked. */
  async findRefreshToken(token: string): Promise<RefreshTokenRecord | null> {
    const key = this.keys.refresh(token);
    const grantId = refreshTokenGrant(token);
    if (key === null || grantId === undefined) return null;
    // Its grant's marker too: a revocation whose DEL failed after the marker was set leaves the token.
    const hash = await this.unlessRevoked(key, grantId);
    const found = toRecord(hash);
    if (!found) return null;
    const record: RefreshTokenRecord = { ...found, grantStart: hash.grantStart ? Number(hash.grantStart) : found.iat };
    if (hash.usedAt) record.usedAt = Number(hash.usedAt);
    if (hash.openId === '1') record.openId = true;
    if (hash.authTime) record.authTime = Number(hash.authTime);
    if (hash.sid) record.sid = hash.sid;
    if (hash.idTokenClaims) record.idTokenClaims = hash.idTokenClaims;
    return record;
  }

  /** An access token's record; null when it is unknown, expired or its grant was revoked. */
  async findAccessToken(token: string): Promise<TokenRecord | null> {
    const ids = parseAccessToken(token);
    const key = this.keys.access(token);
    if (!ids || key === null) return null;
    return toRecord(await this.unlessRevoked(key, ids.grantId));
  }

  /**
   * A token's hash, read with its grant's revocation marker in one round trip (one slot): empty when the grant was
   * revoked. A token of the shape before tokens named their grant (grantId null) was deleted with its grant instead.
   */
  private async unlessRevoked(key: string, grantId: string | null): Promise<Hash> {
    const reads = this.db.pipeline().hgetall(key);
    if (grantId !== null) reads.exists(this.keys.grantRevoked(grantId));
    const [[readError, hash], [, revoked] = [null, 0]] = (await reads.exec()) as [
      [Error | null, Hash],
      [null, number]?
    ];
    if (readError) throw readError;
    return revoked === 1 ? {} : hash;
  }

  /**
   * Marks a refresh token used at `now` (epoch seconds, to the millisecond),
   * atomically: of two concurrent requests exactly one is 'first', and the
   * other learns when that use was (RFC 9700 §4.14.2). 'gone' when the token
   * was revoked meanwhile.
   */
  async markRefreshTokenUsed(token: string, now: number): Promise<RefreshTokenUse> {
    const key = this.keys.refresh(token);
    if (key === null) return { use: 'gone' };
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
   * Revokes a grant: its access tokens are refused from now on, its refresh
   * tokens deleted, and a token saved into it by a concurrent request is
   * deleted as well.
   */
  async revokeGrant(grantId: string): Promise<void> {
    await this.revokeGrants([grantId]);
  }

  /** Revokes several grants, each as revokeGrant does, and takes them out of their app's and user's index. */
  async revokeGrants(grantIds: readonly string[]): Promise<void> {
    if (grantIds.length === 0) return;
    const revoked: RevokedFacts = { grants: [], tokens: [], jtis: [] };
    const owned: Array<[Owner, string, string]> = [];
    for (const batch of inBatches(grantIds, 64)) {
      for (const one of await Promise.all(batch.map((grantId) => this.deleteGrant(grantId)))) {
        addRevoked(revoked, one);
        const [grantId] = one.grants;
        if (one.appId) owned.push(['app', one.appId, grantId!]);
        if (one.userId) owned.push(['user', one.userId, grantId!]);
      }
    }
    await Promise.all(owned.map(([owner, id, grantId]) => this.owners.remove(owner, id, [grantId])));
    this.announce(revoked);
  }

  /**
   * Marks a grant revoked and deletes the tokens its set lists: two steps in
   * the grant's slot. A save racing it is one MULTI that either ran before
   * (its keys are in the set read here) or after (it sees the marker and
   * deletes what it saved). `live`: the grant was not revoked before, so
   * this call is what revoked it.
   */
  private async deleteGrant(
    grantId: string
  ): Promise<RevokedFacts & { live: boolean; appId?: string; userId?: string }> {
    const grantKey = this.keys.grant(grantId);
    const marker = this.keys.grantRevoked(grantId);
    const factsKey = this.keys.grantFacts(grantId);
    const [[, first], , [, members], [, [appId, userId]]] = (await this.db
      .multi()
      .set(marker, '1', 'EX', this.longestLife, 'NX')
      .expire(marker, this.longestLife)
      .smembers(grantKey)
      .hmget(factsKey, 'appId', 'userId')
      .exec()) as [[null, string | null], unknown, [null, string[]], [null, Array<string | null>]];
    const jtis = members.filter((m) => m.startsWith(JTI_MEMBER)).map((m) => m.slice(JTI_MEMBER.length));
    const keys = members.filter((m) => !m.startsWith(JTI_MEMBER));
    await this.db.del(...keys, grantKey, factsKey);
    return {
      ...(appId ? { appId } : {}),
      ...(userId ? { userId } : {}),
      grants: [grantId],
      tokens: keys.map((key) => this.keys.digestOf(key)),
      jtis,
      // Whether its tokens were live is not known here (access tokens are not listed): callers ask only of grants
      // their index holds as unended.
      live: first !== null
    };
  }

  /** Revokes one opaque access token (RFC 7009), leaving the rest of its grant alone. */
  async revokeAccessToken(token: string): Promise<void> {
    const key = this.keys.access(token);
    if (key === null) return;
    await this.db.del(key);
    this.announce({ tokens: [digest(token)] });
  }

  /** Revokes one JWT access token: its jti is refused until the token expires anyway. */
  async denyJwt(grantId: string, jti: string, exp: number): Promise<void> {
    const remaining = Math.ceil(exp - Date.now() / 1000);
    if (remaining > 0) await this.db.set(this.keys.jtiRevoked(grantId, jti), '1', 'EX', remaining);
    this.announce({ jtis: [jti] });
  }

  /**
   * The grants of an app or a user that have not ended, those ending last first, at most `newest` (GrantFactsReader
   * reads what each is).
   */
  liveGrants(owner: Owner, id: string, newest?: number): Promise<string[]> {
    return this.owners.live(owner, id, newest);
  }

  /**
   * Revokes every grant of an app or a user, walking its index. @returns how many live grants this call revoked (none
   * already revoked or expired).
   */
  async revokeAllOf(owner: 'app' | 'user', id: string): Promise<number> {
    const grantIds = await this.owners.live(owner, id);
    const legacyKeys = await this.legacyIndexKeys(owner, id);
    const legacyPrefix = this.keys.legacyOwnedGrantPrefix(owner, id);
    const all = [...new Set([...grantIds, ...legacyKeys.map((key) => key.slice(legacyPrefix.length))])];
    const revoked: RevokedFacts = { grants: [], tokens: [], jtis: [] };
    // Each grant's other owner (its user, revoking an app's; its app, revoking a user's), to leave its index too.
    const others = new Map<string, string[]>();
    let live = 0;
    for (const batch of inBatches(all, 64)) {
      for (const one of await Promise.all(batch.map((grantId) => this.deleteGrant(grantId)))) {
        if (one.live) live++;
        addRevoked(revoked, one);
        const other = owner === 'app' ? one.userId : one.appId;
        if (other) others.set(other, [...(others.get(other) ?? []), ...one.grants]);
      }
    }
    // Only the grants revoked here leave the index: one a concurrent request added stays, for the next call.
    await Promise.all([
      this.owners.remove(owner, id, grantIds),
      ...[...others].map(([other, ids]) => this.owners.remove(owner === 'app' ? 'user' : 'app', other, ids))
    ]);
    if (legacyKeys.length > 0) await Promise.all(legacyKeys.map((key) => this.db.del(key)));
    this.announce({ ...revoked, ...(owner === 'app' ? { apps: [id] } : { users: [id] }) });
    return live;
  }

  /**
   * The index keys (one per grant) an earlier version wrote, by SCAN (never
   * KEYS, which blocks Redis), while a grant it indexed may still be live.
   */
  private async legacyIndexKeys(owner: 'app' | 'user', id: string): Promise<string[]> {
    if (!this.mayHoldLegacy) return [];
    const lastStart = Number((await this.db.get(this.keys.ownedGrantsSince())) ?? Date.now());
    if (Date.now() > lastStart + this.longestLife * 1000) return [];
    const ownedBy = this.keys.legacyOwnedGrantPrefix(owner, id);
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.db.scan(
        cursor,
        'MATCH',
        this.keys.legacyOwnedGrantPattern(owner, id),
        'COUNT',
        1000
      );
      for (const key of keys) if (key.startsWith(ownedBy)) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }
}

function addRevoked(into: RevokedFacts, one: RevokedFacts): void {
  into.grants.push(...one.grants);
  into.tokens.push(...one.tokens);
  into.jtis.push(...one.jtis);
}

function* inBatches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
