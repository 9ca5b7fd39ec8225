import type { Pipeline, Redis } from 'ioredis';
import type { EgKeys } from './eg-keys';
import type { StoreConnection } from './store-connection';
import type { TokenKeys } from './token-keys';
import { Hash, TokenRecord, toRecord } from './token.store';

/** The live state of everything a token depends on, read in one round trip. */
export interface ConsumerStatus {
  app: Hash;
  credentialActive: string | null;
  userActive: string | null;
  username: string | null;
}

export interface OpaqueSnapshot extends ConsumerStatus {
  /** null when unknown, expired or of a revoked grant. */
  token: TokenRecord | null;
}
export interface JwtSnapshot extends ConsumerStatus {
  revoked: boolean;
}

/** The access token's ids, as parseAccessToken reads them. */
interface OpaqueIds {
  appId: string;
  userId: string;
  grantId: string | null;
}

/**
 * The reads of a bearer check, in one round trip: the token (or, for a JWT,
 * its deny-list entries) with its grant's revocation marker, from the
 * plugin's store, and the live status of its app, the app's oauth2
 * credential and its user, from EG's Redis, so a deactivated consumer loses
 * access at once. On one connection that is a single pipeline; with a store
 * of the plugin's own, two sent at once, one to each.
 */
export class BearerReader {
  constructor(
    private readonly store: StoreConnection,
    private readonly egDb: Redis,
    private readonly keys: TokenKeys,
    private readonly eg: EgKeys
  ) {}

  /** @param tokenDigest the access token's SHA-256 digest (tokens are only stored by it). */
  async readOpaque(tokenDigest: string, ids: OpaqueIds): Promise<OpaqueSnapshot> {
    const tokenReads = this.store.pipeline().hgetall(this.keys.accessByDigest(ids.grantId, tokenDigest));
    // A token of the shape before tokens named their grant was deleted with its grant instead.
    if (ids.grantId !== null) tokenReads.exists(this.keys.grantRevoked(ids.grantId));
    const [[tokenHash, revoked = 0], status] = await this.run(tokenReads, ids.grantId === null ? 1 : 2, ids);
    const token = revoked === 1 ? null : toRecord(tokenHash as Hash);
    return { token: token && (ids.grantId === null || token.grantId === ids.grantId) ? token : null, ...status };
  }

  async readJwtStatus(jti: string, grantId: string, appId: string, userId: string): Promise<JwtSnapshot> {
    const [[jtiRevoked, grantRevoked], status] = await this.run(
      this.store.pipeline().exists(this.keys.jtiRevoked(grantId, jti)).exists(this.keys.grantRevoked(grantId)),
      2,
      { appId, userId }
    );
    return { revoked: jtiRevoked === 1 || grantRevoked === 1, ...status };
  }

  /** The store's reads and the consumer's status: one pipeline when both live on one connection. */
  private async run(
    storeReads: Pipeline,
    storeCount: number,
    { appId, userId }: { appId: string; userId: string }
  ): Promise<[unknown[], ConsumerStatus]> {
    const own = (this.store as unknown) !== this.egDb;
    const egReads = own ? this.egDb.pipeline() : storeReads;
    egReads.hgetall(this.eg.application(appId)).hget(this.eg.oauth2Credential(appId), 'isActive');
    if (userId) egReads.hmget(this.eg.user(userId), 'isActive', 'username');
    if (!own) {
      const values = await execute(storeReads);
      return [values.slice(0, storeCount), this.status(values.slice(storeCount), userId)];
    }
    const [stored, consumer] = await Promise.all([execute(storeReads), execute(egReads)]);
    return [stored, this.status(consumer, userId)];
  }

  private status([app, credentialActive, user]: unknown[], userId: string): ConsumerStatus {
    const [userActive = null, username = null] = userId ? (user as Array<string | null>) : [];
    return { app: app as Hash, credentialActive: credentialActive as string | null, userActive, username };
  }
}

async function execute(pipeline: Pipeline): Promise<unknown[]> {
  const results = (await pipeline.exec()) as Array<[Error | null, unknown]>;
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.map(([, value]) => value);
}
