import type { Pipeline } from 'ioredis';
import { isCluster, StoreConnection } from './store-connection';
import type { TokenKeys } from './token-keys';

export type Owner = 'app' | 'user';

/** The grants of each app and user, for revoking them all at once without a keyspace SCAN. */
export interface OwnerIndex {
  /** Records a grant of `owner` that ends at `endsAt` (epoch ms). */
  add(owner: Owner, id: string, grantId: string, endsAt: number): Promise<void>;
  /**
   * The same, as commands appended to a transaction of the store's connection, when the index can share it (keys of
   * any slot: one Redis, not a cluster): true when it did, and the transaction's caller must run it.
   */
  addWithin?(tx: Pipeline, owner: Owner, id: string, grantId: string, endsAt: number): boolean;
  /** The grants of `owner` that have not ended, those that end last first; at most `newest` of them when given. */
  live(owner: Owner, id: string, newest?: number): Promise<string[]>;
  /** Forgets grants (revoked): one a concurrent request added meanwhile stays. */
  remove(owner: Owner, id: string, grantIds: string[]): Promise<void>;
}

/**
 * In Redis: a sorted set per app or user, scored by when each grant ends,
 * from which ended grants are dropped on every write, living as long as the
 * longest grant written into it could (every grant ends within longestLife
 * of its write).
 */
export class RedisOwnerIndex implements OwnerIndex {
  constructor(
    private readonly db: StoreConnection,
    private readonly keys: TokenKeys,
    private readonly longestLife: number
  ) {}

  async add(owner: Owner, id: string, grantId: string, endsAt: number): Promise<void> {
    await this.append(this.db.multi(), owner, id, grantId, endsAt).exec();
  }

  addWithin(tx: Pipeline, owner: Owner, id: string, grantId: string, endsAt: number): boolean {
    if (isCluster(this.db)) return false; // an app's index and a grant's keys are in different slots
    this.append(tx, owner, id, grantId, endsAt);
    return true;
  }

  private append(tx: Pipeline, owner: Owner, id: string, grantId: string, endsAt: number) {
    const key = this.keys.ownedGrants(owner, id);
    const now = Date.now();
    return tx
      .zadd(key, endsAt, grantId)
      .zremrangebyscore(key, '-inf', now)
      .pexpireat(key, now + this.longestLife * 1000);
  }

  live(owner: Owner, id: string, newest?: number): Promise<string[]> {
    const key = this.keys.ownedGrants(owner, id);
    return newest === undefined
      ? this.db.zrevrangebyscore(key, '+inf', Date.now())
      : this.db.zrevrangebyscore(key, '+inf', Date.now(), 'LIMIT', 0, newest);
  }

  async remove(owner: Owner, id: string, grantIds: string[]): Promise<void> {
    if (grantIds.length > 0) await this.db.zrem(this.keys.ownedGrants(owner, id), ...grantIds);
  }
}

const processIndexes = new WeakMap<StoreConnection, ProcessOwnerIndex>();

/**
 * On EG's emulated store, which lives in this process and dies with it: the
 * same index in a Map. ioredis-mock copies a sorted set on every write
 * (ZADD and ZREMRANGEBYSCORE measured at 150 µs with 1,000 members, 3 ms
 * with 10,000), so a busy app's index made every token issued slower than
 * the last; a Map costs the same whatever its size. Ended grants are swept
 * every SWEEP_EVERY additions of an owner. One per emulated store, so that
 * EG's hot reload (init again) keeps it.
 */
export class ProcessOwnerIndex implements OwnerIndex {
  private readonly grants = new Map<string, Map<string, number>>();
  private readonly added = new Map<string, number>();

  static of(db: StoreConnection): ProcessOwnerIndex {
    let index = processIndexes.get(db);
    if (!index) processIndexes.set(db, (index = new ProcessOwnerIndex()));
    return index;
  }

  async add(owner: Owner, id: string, grantId: string, endsAt: number): Promise<void> {
    const key = `${owner}:${id}`;
    const grants = this.grants.get(key) ?? new Map<string, number>();
    this.grants.set(key, grants.set(grantId, endsAt));
    const added = (this.added.get(key) ?? 0) + 1;
    this.added.set(key, added % SWEEP_EVERY);
    if (added === SWEEP_EVERY) {
      const now = Date.now();
      for (const [grant, end] of grants) if (end <= now) grants.delete(grant);
    }
  }

  async live(owner: Owner, id: string, newest?: number): Promise<string[]> {
    const now = Date.now();
    const live = [...(this.grants.get(`${owner}:${id}`) ?? [])].filter(([, end]) => end > now);
    return live
      .sort(([, a], [, b]) => b - a)
      .slice(0, newest)
      .map(([grant]) => grant);
  }

  async remove(owner: Owner, id: string, grantIds: string[]): Promise<void> {
    const grants = this.grants.get(`${owner}:${id}`);
    for (const grant of grantIds) grants?.delete(grant);
  }
}

const SWEEP_EVERY = 1024;
