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

/** The part of EG's application DAO (services/consumers/application.dao.js) that writes an app with a given id. */
export interface EgApplicationDao {
  insert(app: Record<string, string>): Promise<boolean>;
  getAllAppIdsByUser(userId: string): Promise<string[]>;
}

/**
 * EG's application DAO, of the installation that gave us `ctx.services`: EG's service
 * always gives an app a UUID, and an app made from a client ID metadata document must
 * have its URL as id, the client_id it is known by everywhere (tokens, ID token `aud`,
 * introspection). The DAO writes EG's own keys and indexes, as the service would.
 */
export function gatewayApplicationDao(services: EgServices): EgApplicationDao {
  return require(path.join(egLibDir(services), 'services', 'consumers', 'application.dao.js')) as EgApplicationDao;
}
