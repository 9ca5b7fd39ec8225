import type { StoreConnection } from './store-connection';

/** A consent remembered: the scopes a user allowed an app. */
export interface RememberedConsent {
  appId: string;
  scopes: string[];
}

/**
 * Consents a user gave an app, remembered so that the same request is not
 * asked again: a set of scopes per user and app, and per user the set of
 * apps they consented to, for the "Connected apps" page. Each key is written
 * on its own (they may be in different slots of a cluster); the index lives
 * as long as the newest consent it names (an app whose consent expired
 * before stays named, and is skipped when read: dropping it then could drop
 * a consent given again meanwhile).
 */
export class ConsentStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly ttlSeconds: number
  ) {}

  private key(userId: string, appId: string): string {
    return `${this.prefix}consent:${userId}:${appId}`;
  }

  private indexKey(userId: string): string {
    return `${this.prefix}consented-apps:${userId}`;
  }

  async remember(userId: string, appId: string, scopes: string[]): Promise<void> {
    const key = this.key(userId, appId);
    const tx = this.db.multi();
    if (scopes.length > 0) tx.sadd(key, ...scopes);
    else tx.sadd(key, '');
    const index = this.indexKey(userId);
    await Promise.all([
      tx.expire(key, this.ttlSeconds).exec(),
      this.db.multi().sadd(index, appId).expire(index, this.ttlSeconds).exec()
    ]);
  }

  /**
   * True when the user already consented to every one of these scopes for this app. A consent found is named in the
   * user's index too: one an earlier version remembered, which the index lacks, shows on the next use.
   */
  async covers(userId: string, appId: string, scopes: string[]): Promise<boolean> {
    const granted: string[] = await this.db.smembers(this.key(userId, appId));
    if (granted.length === 0) return false;
    await this.db.sadd(this.indexKey(userId), appId);
    return scopes.every((scope) => granted.includes(scope));
  }

  /** The consents a user gave that are still remembered, by app. */
  async ofUser(userId: string): Promise<RememberedConsent[]> {
    const appIds: string[] = await this.db.smembers(this.indexKey(userId));
    const scopes = await Promise.all(appIds.map((appId) => this.db.smembers(this.key(userId, appId))));
    return appIds.flatMap((appId, i) =>
      scopes[i]!.length === 0 ? [] : [{ appId, scopes: scopes[i]!.filter((scope) => scope !== '') }]
    );
  }

  /** Forgets the user's consent to an app: the next request of the app asks again. */
  async forget(userId: string, appId: string): Promise<void> {
    await Promise.all([this.db.del(this.key(userId, appId)), this.db.srem(this.indexKey(userId), appId)]);
  }
}
