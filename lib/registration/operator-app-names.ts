import type { Redis } from 'ioredis';
import { registrantKind } from '../clients/registrant';
import type { EgKeys } from '../store/eg-keys';
import { lookAlikeKey } from './look-alike-key';

/**
 * The names of the operator's apps (made through EG's admin API or CLI: no
 * `registeredVia`), which users trust on the consent page: a user or a
 * client registering itself may not take one, nor a look-alike of one
 * (lookAlikeKey). Read from EG's application hashes each time, so an app the
 * operator just created or renamed counts at once; the SCAN walks the whole
 * keyspace, a registration's cost, not a request's.
 */
export class OperatorAppNames {
  constructor(private readonly db: Redis, private readonly eg: EgKeys) {}

  /** True when an operator's app has this name, or one a user would read as the same. */
  async resemble(name: string): Promise<boolean> {
    const wanted = lookAlikeKey(name);
    let cursor = '0';
    do {
      const [next, keys] = await this.db.scan(cursor, 'MATCH', this.eg.applicationPattern, 'COUNT', 1000);
      if (keys.length > 0 && (await this.anyOperatorApp(keys, wanted))) return true;
      cursor = next;
    } while (cursor !== '0');
    return false;
  }

  private async anyOperatorApp(appKeys: string[], wanted: string): Promise<boolean> {
    const pipeline = this.db.pipeline();
    for (const key of appKeys) pipeline.hmget(key, 'name', 'registeredVia');
    const results = (await pipeline.exec()) as Array<[Error | null, [string | null, string | null]]>;
    return results.some(([err, [appName, registeredVia]]) => {
      if (err) throw err;
      return registrantKind(registeredVia) === 'operator' && typeof appName === 'string' && lookAlikeKey(appName) === wanted;
    });
  }
}
