import type { Redis, RedisOptions } from 'ioredis';

/**
 * Bounds every command on the gateway's Redis connection, so a request never
 * waits on Redis longer than `timeout` milliseconds: the plugin's stores,
 * the browser sessions (connect-redis) and EG's own services (consumers,
 * credentials) all share this connection.
 *
 * EG hands ioredis its defaults, under which an outage hangs requests: a
 * command sent while Redis is down waits in the offline queue until 20
 * reconnection attempts have failed (about 10 s, then up to 40 s once the
 * retry delay reaches its 2 s ceiling), and one sent to a server that went
 * silent waits for as long as the socket stays open. So:
 * - `commandTimeout` fails any command Redis has not answered in time;
 * - once connected, the offline queue is turned off: while ioredis
 *   reconnects, commands fail at once instead of queueing, and none of them
 *   runs late, after its request was already answered 503.
 * The queue stays on until the first connection, for EG's start-up.
 *
 * The errors ("Command timed out", "Stream isn't writeable…") become 503
 * temporarily_unavailable in lib/errors.ts. Running twice (EG's hot reload)
 * changes nothing.
 */
export function boundStoreCalls(db: Redis, timeout: number): void {
  const options = db.options as RedisOptions;
  options.commandTimeout = timeout;
  const failFast = () => { options.enableOfflineQueue = false; };
  if (db.status === 'ready') failFast();
  else db.once('ready', failFast);
}
