import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { EgLogger, EgServices } from './types';

/** The message lib/errors.ts reads as a store failure: answered 503 temporarily_unavailable. */
const TIMED_OUT = 'Command timed out';

const connections = new WeakMap<Redis, { own: Redis }>();

/**
 * The plugin's own connection to the gateway's Redis, on which every command
 * is bounded, so a request never waits on Redis longer than `timeout`
 * milliseconds: the plugin's stores, the browser sessions and the change
 * feeds (which duplicate it) use it.
 *
 * EG hands ioredis its defaults, under which an outage hangs requests: a
 * command sent while Redis is down waits in the offline queue until 20
 * reconnection attempts have failed (about 10 s, then up to 40 s once the
 * retry delay reaches its 2 s ceiling), and one sent to a server that went
 * silent waits for as long as the socket stays open. So, on this connection:
 * - `commandTimeout` fails any command Redis has not answered in time;
 * - once connected, the offline queue is turned off: while ioredis
 *   reconnects, commands fail at once instead of queueing, and none of them
 *   runs late, after its request was already answered 503.
 * EG's own connection keeps EG's options: its admin API and services behave
 * during an outage as they do without the plugin (issue 16, item 6). One
 * instance per EG connection: EG's hot reload runs init again.
 */
export function pluginConnection(egDb: Redis, timeout: number, logger: EgLogger): Redis {
  const known = connections.get(egDb);
  if (known) {
    // A hot reload with another store.timeout: the stores and feeds made at the first start keep this connection.
    (known.own.options as RedisOptions).commandTimeout = timeout;
    return known.own;
  }
  const own = withDeadline(egDb.duplicate(), timeout);
  const { host = '127.0.0.1', port = 6379, db = 0 } = own.options as RedisOptions;
  reportOutages(own, logger, `Redis at ${host}:${port}/${db}`);
  connections.set(egDb, { own });
  return own;
}

/**
 * Bounds every command of a connection not yet connected by `timeout`, and
 * turns its offline queue off once it is connected (see pluginConnection).
 */
export function withDeadline(connection: Redis, timeout: number): Redis {
  const options = connection.options as RedisOptions;
  options.commandTimeout = timeout;
  connection.once('ready', () => {
    options.enableOfflineQueue = false;
  });
  return connection;
}

/**
 * One line when Redis goes away and one when it is back, however many
 * reconnection attempts (several a second) and failed requests lie between.
 * @param where the Redis, for the log line (never with a password).
 */
export function reportOutages(connection: Redis | Cluster, logger: EgLogger, where: string): void {
  let lostAt: number | null = null;
  let lastError = '';
  connection.on('error', (err: Error) => {
    lastError = err.message;
  });
  connection.on('close', () => {
    if (lostAt !== null) return;
    lostAt = Date.now();
    // The error, when there is one, says why; ioredis emits it just before or after close.
    setImmediate(() =>
      logger.error(
        `oauth2: lost the connection to ${where}${lastError ? ` (${lastError})` : ''}; ` +
          'requests that need it answer 503 until it is back'
      )
    );
  });
  connection.on('ready', () => {
    if (lostAt === null) return;
    logger.info(`oauth2: ${where} is back after ${((Date.now() - lostAt) / 1000).toFixed(1)} s`);
    lostAt = null;
    lastError = '';
  });
}

/** ioredis states of a connection that was lost (not the first 'connecting', when EG's own start is queued anyway). */
const DOWN = new Set(['reconnecting', 'close', 'end']);

/** `pending`, or a 'Command timed out' failure (a store outage: 503) once `timeout` ms have passed. */
export function settledWithin<T>(pending: Promise<T>, timeout: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(TIMED_OUT)), timeout);
  });
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}

/**
 * EG's services as the plugin calls them: each call the plugin makes is
 * given up after `timeout` (then answered 503), at once while the plugin's
 * own connection is down (EG's, to the same Redis, is down too), while EG's
 * own command stays in EG's queue as EG would have it. The services
 * themselves, and every caller other than the plugin, are left alone.
 */
export function boundServices(services: EgServices, timeout: number, connection: Redis): EgServices {
  const bound = <S extends object>(service: S): S =>
    new Proxy(service, {
      get(target, name) {
        const value = Reflect.get(target, name, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (DOWN.has(connection.status))
            return Promise.reject(new Error(`Connection is closed (${connection.status})`));
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? settledWithin(result, timeout) : result;
        };
      }
    });
  return {
    ...services,
    application: bound(services.application),
    user: bound(services.user),
    credential: bound(services.credential),
    auth: bound(services.auth)
  };
}
