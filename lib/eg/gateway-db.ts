import path from 'path';
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
  const servicesModule = Object.values(require.cache).find((cached) => cached?.exports === services);
  if (!servicesModule) {
    throw new Error("cannot locate Express Gateway's services module to share its Redis connection");
  }
  return require(path.join(path.dirname(servicesModule.filename), '..', 'db.js')) as Redis;
}
