import type IORedis from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { Settings } from '../settings';
import type { EgLogger } from '../eg/types';
import { keep } from '../eg/process-state';
import { reportOutages, withDeadline } from '../eg/store-deadline';
import { clusterWithDeadline } from './cluster-deadline';
import type { StoreConnection } from './store-connection';

export type StoreSetting = NonNullable<Settings['store']['redis']>;

/**
 * The store of the plugin's own (store.redis): a Redis by URL, a Sentinel
 * group, or a Redis Cluster, made with the ioredis of EG's installation. Its
 * commands are bounded by store.timeout as on the plugin's connection to
 * EG's Redis (lib/eg/store-deadline.ts): a command fails rather than waits,
 * and is answered 503.
 *
 * On a cluster, a failover moves slots: ioredis learns the new primary from
 * the MOVED answers and a slots refresh. Retries are spaced so that the
 * command's own deadline, not ioredis's retry budget, bounds a request.
 *
 * One connection per setting and process: EG's hot reload runs init again.
 */
export function openPluginStore(
  setting: StoreSetting,
  Redis: typeof IORedis,
  timeout: number,
  logger: EgLogger
): StoreConnection {
  return keep(
    'plugin store',
    JSON.stringify(setting),
    () => connect(setting, Redis, timeout, logger),
    (connection) => connection.disconnect()
  );
}

/**
 * A primary demoted by a failover answers writes READONLY while the connection still points at it: reconnect,
 * which on Sentinel asks for the new primary (ioredis's reconnectOnError).
 */
const reconnectOnError = (err: Error) => err.message.startsWith('READONLY');

function connect(setting: StoreSetting, Redis: typeof IORedis, timeout: number, logger: EgLogger): StoreConnection {
  if (typeof setting === 'string') {
    const connection = withDeadline(new Redis(setting, { reconnectOnError }), timeout);
    reportOutages(connection, logger, describeStore(setting));
    return connection;
  }
  if ('cluster' in setting) {
    const { cluster: nodes, tls, ...auth } = setting;
    const spacing = Math.min(200, Math.floor(timeout / 4));
    const options: ClusterOptions = {
      // Each command to a node is bounded; a node that vanished without a word costs at most that.
      redisOptions: { ...auth, ...(tls ? { tls: {} } : {}), commandTimeout: timeout },
      retryDelayOnFailover: spacing,
      retryDelayOnClusterDown: spacing,
      retryDelayOnTryAgain: spacing,
      slotsRefreshTimeout: Math.min(1000, timeout)
    };
    const connection = new Redis.Cluster(nodes, options);
    // As on one Redis: queued while the cluster first forms, failed at once while ioredis finds it again.
    connection.once('ready', () => {
      (connection.options as ClusterOptions).enableOfflineQueue = false;
    });
    reportOutages(connection, logger, describeStore(setting));
    return clusterWithDeadline(connection, timeout);
  }
  const { sentinels, name, tls, ...auth } = setting;
  const secure = tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {};
  const options = { sentinels, name, ...auth, ...secure, reconnectOnError } as RedisOptions;
  const connection = withDeadline(new Redis(options), timeout);
  reportOutages(connection, logger, describeStore(setting));
  return connection;
}

/** A store as the start line and the outage lines name it: never with a password. */
export function describeStore(setting: StoreSetting): string {
  if (typeof setting !== 'string') {
    return 'cluster' in setting
      ? `redis cluster ${addresses(setting.cluster)}`
      : `redis sentinel ${setting.name}@${addresses(setting.sentinels)}`;
  }
  try {
    const url = new URL(setting);
    return `${url.protocol === 'rediss:' ? 'rediss' : 'redis'} ${url.host}${url.pathname || '/0'}`;
  } catch {
    return 'redis (store.redis)';
  }
}

const addresses = (nodes: ReadonlyArray<{ host: string; port: number }>) =>
  nodes.map(({ host, port }) => `${host}:${port}`).join(',');
