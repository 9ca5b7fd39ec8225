import type { Redis } from 'ioredis';
import { registrantKind } from '../clients/registrant';
import { SingleFlight } from '../single-flight';
import type { EgKeys } from '../store/eg-keys';
import type { RevocationEvent, RevocationFeed } from '../store/revocation-feed';
import { lookAlikeKey } from './look-alike-key';

/** How long a read of the operator's app names answers registrations; any app change announced drops it sooner. */
const FRESH_MS = 30_000;

/**
 * The names of the operator's apps (made through EG's admin API or CLI: no
 * `registeredVia`), which users trust on the consent page: a user or a
 * client registering itself may not take one, nor a look-alike of one
 * (lookAlikeKey). They are read from EG's application hashes by a SCAN of
 * the keyspace, so the read is shared: concurrent registrations wait for one
 * SCAN, and its answer serves them for 30 s, or until an app change (a
 * rename, a removal) is announced on the feed, on any instance. A stream of
 * registrations therefore costs one SCAN per 30 s, not one each.
 */
export class OperatorAppNames {
  private known?: { keys: Set<string>; at: number } | undefined;
  private readonly reading = new SingleFlight<Set<string>>();

  constructor(
    private readonly db: Redis,
    private readonly eg: EgKeys,
    private readonly feed: RevocationFeed
  ) {
    feed.onChange(this.follow);
  }

  private readonly follow = (event: RevocationEvent | 'all') => {
    if (event === 'all' || event.apps?.length || event.owners?.length) this.known = undefined;
  };

  /** Stops following the feed (an instance a reload replaced). */
  dispose(): void {
    this.feed.offChange(this.follow);
  }

  /** True when an operator's app has this name, or one a user would read as the same. */
  async resemble(name: string): Promise<boolean> {
    return (await this.operatorKeys()).has(lookAlikeKey(name));
  }

  private async operatorKeys(): Promise<Set<string>> {
    if (this.known && Date.now() - this.known.at < FRESH_MS && this.feed.connected) return this.known.keys;
    return this.reading.run('all', async () => {
      const at = Date.now();
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, appKeys] = await this.db.scan(cursor, 'MATCH', this.eg.applicationPattern, 'COUNT', 1000);
        if (appKeys.length > 0) for (const key of await this.operatorNameKeys(appKeys)) keys.add(key);
        cursor = next;
      } while (cursor !== '0');
      this.known = { keys, at };
      return keys;
    });
  }

  private async operatorNameKeys(appKeys: string[]): Promise<string[]> {
    const pipeline = this.db.pipeline();
    for (const key of appKeys) pipeline.hmget(key, 'name', 'registeredVia');
    const results = (await pipeline.exec()) as Array<[Error | null, [string | null, string | null]]>;
    return results.flatMap(([err, [appName, registeredVia]]) => {
      if (err) throw err;
      return registrantKind(registeredVia) === 'operator' && typeof appName === 'string' ? [lookAlikeKey(appName)] : [];
    });
  }
}
