import type { EgLogger } from '../eg/types';
import type { StoreConnection } from './store-connection';

/**
 * Warns at start when the Redis holding the plugin's data may evict keys
 * under memory pressure: a revoked grant is refused through its
 * `grant-revoked` marker, and an evicted marker would let the grant's tokens
 * through again until they expire. A Redis that refuses CONFIG (managed
 * services often do) is left to the README's advice.
 */
export async function warnIfEvicting(db: StoreConnection, logger: EgLogger): Promise<void> {
  let policy: unknown;
  try {
    [, policy] = (await db.config('GET', 'maxmemory-policy')) as unknown as [string, string];
  } catch {
    return;
  }
  if (typeof policy === 'string' && policy !== 'noeviction') {
    logger.warn(
      `oauth2: the Redis of the plugin's data evicts keys (maxmemory-policy ${policy}): a revoked grant's marker could ` +
        'be evicted and its tokens accepted again; set maxmemory-policy noeviction and size Redis for the live tokens'
    );
  }
}
