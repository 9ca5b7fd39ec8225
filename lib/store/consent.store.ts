import type { StoreConnection } from './store-connection';

/** Consents a user gave an app, remembered so that the same request is not asked again. */
export class ConsentStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly ttlSeconds: number
  ) {}

  private key(userId: string, appId: string): string {
    return `${this.prefix}consent:${userId}:${appId}`;
  }

  async remember(userId: string, appId: string, scopes: string[]): Promise<void> {
    const key = this.key(userId, appId);
    const tx = this.db.multi();
    if (scopes.length > 0) tx.sadd(key, ...scopes);
    else tx.sadd(key, '');
    await tx.expire(key, this.ttlSeconds).exec();
  }

  /** True when the user already consented to every one of these scopes for this app. */
  async covers(userId: string, appId: string, scopes: string[]): Promise<boolean> {
    const granted: string[] = await this.db.smembers(this.key(userId, appId));
    return granted.length > 0 && scopes.every((scope) => granted.includes(scope));
  }
}
