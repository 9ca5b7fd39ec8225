import type { Settings } from '../settings';
import { describeStore } from '../store/plugin-store';
import type { SystemConfig } from './types';

/** The package's own name and version, read from the package.json it ships with. */
export const PACKAGE = require('../../../package.json') as { name: string; version: string };

/** Where the tokens live, as an operator would name it: never the password of a Redis URL. */
function storeName(settings: Settings, system: SystemConfig, emulated: boolean): string {
  const own = settings.store.redis;
  if (own !== undefined) return `${describeStore(own)} (EG's records: ${egStoreName(system, emulated)})`;
  return egStoreName(system, emulated);
}

function egStoreName(system: SystemConfig, emulated: boolean): string {
  if (emulated) return 'emulated (in memory, this process only)';
  const redis = system.db?.redis ?? {};
  return `redis ${redis.host ?? '127.0.0.1'}:${redis.port ?? 6379}/${redis.db ?? 0}`;
}

/**
 * The one line that tells an operator this plugin, not EG's built-in oauth2
 * policy, is the one running, and with what: EG logs a plugin that fails to
 * load in a line easily missed, and then serves its own policy on the same paths.
 */
export function startLine(settings: Settings, system: SystemConfig, emulated: boolean): string {
  return (
    `${PACKAGE.name} ${PACKAGE.version} running: issuer ${settings.issuer}, store ${storeName(settings, system, emulated)}, ` +
    `endpoints under ${settings.basePath}, grants: ${settings.grants.join(', ')}`
  );
}
