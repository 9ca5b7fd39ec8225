import type { Pipeline, Redis } from 'ioredis';
import type { EgKeys } from './eg-keys';
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
  token: TokenRecord | null;
}
export interface JwtSnapshot extends ConsumerStatus {
  revoked: boolean;
}

/**
 * The reads of a bearer check. Each is a single pipeline: the token (or, for
 * a JWT, its deny-list entries) together with the live status of its app, the
 * app's oauth2 credential and its user, so a deactivated consumer loses
 * access at once and a check costs one Redis round trip.
 */
export class BearerReader {
  constructor(
    private readonly db: Redis,
    private readonly keys: TokenKeys,
    private readonly eg: EgKeys
  ) {}

  /** @param tokenDigest the access token's SHA-256 digest (tokens are only stored by it). */
  async readOpaque(tokenDigest: string, appId: string, userId: string): Promise<OpaqueSnapshot> {
    const [tokenHash, ...status] = await this.run(
      this.db.pipeline().hgetall(this.keys.accessByDigest(tokenDigest)),
      appId,
      userId
    );
    return { token: toRecord(tokenHash as Hash), ...this.status(status, userId) };
  }

  async readJwtStatus(jti: string, grantId: string, appId: string, userId: string): Promise<JwtSnapshot> {
    const [jtiRevoked, grantRevoked, ...status] = await this.run(
      this.db.pipeline().exists(this.keys.jtiRevoked(jti)).exists(this.keys.grantRevoked(grantId)),
      appId,
      userId
    );
    return { revoked: jtiRevoked === 1 || grantRevoked === 1, ...this.status(status, userId) };
  }

  private async run(pipeline: Pipeline, appId: string, userId: string): Promise<unknown[]> {
    pipeline.hgetall(this.eg.application(appId)).hget(this.eg.oauth2Credential(appId), 'isActive');
    if (userId) pipeline.hmget(this.eg.user(userId), 'isActive', 'username');
    const results = (await pipeline.exec()) as Array<[Error | null, unknown]>;
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    return results.map(([, value]) => value);
  }

  private status([app, credentialActive, user]: unknown[], userId: string): ConsumerStatus {
    const [userActive = null, username = null] = userId ? (user as Array<string | null>) : [];
    return { app: app as Hash, credentialActive: credentialActive as string | null, userActive, username };
  }
}
