import path from 'path';
import type IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import type { EgServices } from './types';

/**
 * The gateway's own Redis connection (a real ioredis client, or ioredis-mock
 * when EG runs with `emulate: true`).
 *
 * EG does not hand plugins its connection, and requiring `express-gateway`
 * from here could load a second copy with its own config and connection. So
 * we find the module that gave us `ctx.services` in the module cache and take
 * `db.js` from the very same installation.
 */
export function gatewayDb(services: EgServices): Redis {
  return require(path.join(egLibDir(services), 'db.js')) as Redis;
}

/** EG's lib folder, found through the module that gave us `ctx.services`. */
function egLibDir(services: EgServices): string {
  const servicesModule = Object.values(require.cache).find((cached) => cached?.exports === services);
  if (!servicesModule) {
    throw new Error("cannot locate Express Gateway's services module to share its Redis connection");
  }
  return path.join(path.dirname(servicesModule.filename), '..');
}

/**
 * The ioredis of EG's installation, for a store of the plugin's own
 * (store.redis): the package EG's connection is made with, so that the plugin
 * brings no second Redis client of its own.
 */
export function gatewayIoredis(services: EgServices): typeof IORedis {
  const db = require.resolve(path.join(egLibDir(services), 'db.js'));
  return require(require.resolve('ioredis', { paths: [path.dirname(db)] })) as typeof IORedis;
}
