import type { StoreConnection } from '../store/store-connection';

/**
 * When a user last took an app's access back on the "Connected apps" page
 * (or the admin API did for them): an authorization given before then and
 * not yet exchanged (an authorization code, an approved device code) has no
 * grant to revoke yet, so its exchange must be refused instead, or the app
 * would have tokens again without asking. Kept as long as such an
 * authorization can live.
 */
export class AccessRevocations {
  /** @param ttlSeconds at least the longest life of an authorization code or device code. */
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly ttlSeconds: number
  ) {}

  private key(userId: string, appId: string): string {
    return `${this.prefix}access-revoked:${userId}:${appId}`;
  }

  async mark(userId: string, appId: string): Promise<void> {
    await this.db.set(this.key(userId, appId), String(Date.now()), 'EX', this.ttlSeconds);
  }

  /** Whether the user took the app's access back after `authorizedAt` (epoch ms). */
  async revokedSince(userId: string, appId: string, authorizedAt: number): Promise<boolean> {
    const revokedAt = Number(await this.db.get(this.key(userId, appId)));
    return revokedAt > 0 && revokedAt >= authorizedAt;
  }
}
