import type { EgLogger } from '../eg/types';
import { OAuthError, StoreUnavailable } from '../errors';

/** At most one line per this many milliseconds about store failures, however many requests fail. */
const STORE_QUIET_MS = 10000;
let lastStoreLine = 0;
let quieted = 0;

/**
 * Logs a failure the server answered 5xx, with its private detail. During a
 * Redis outage every request fails the same way, several a second: one line
 * every 10 s says so and how many more failed, instead of one per request
 * (the plugin's connection also logs when Redis goes and comes back).
 */
export function logFailure(logger: EgLogger, where: string, err: OAuthError): void {
  if (err instanceof StoreUnavailable) {
    const now = Date.now();
    if (now - lastStoreLine < STORE_QUIET_MS) {
      quieted++;
      return;
    }
    const more = quieted > 0 ? ` (${quieted} more requests failed alike since the last such line)` : '';
    lastStoreLine = now;
    quieted = 0;
    logger.error(`${where}: ${err.error}: ${err.detail ?? err.description}${more}`);
    return;
  }
  logger.error(`${where}: ${err.error}: ${err.detail ?? err.description}`);
}
