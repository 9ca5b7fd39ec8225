import type { EgLogger } from './types';

/**
 * Express Gateway only logs a plugin whose settings or init fail, and goes on
 * without it. For this plugin that would be dangerous: a pipeline's `oauth2`
 * would silently fall back to EG's built-in policy. So a failed load stops
 * the gateway with a message and a non-zero exit.
 */
export function stopGateway(reason: string, logger?: EgLogger): never {
  const message = `express-gateway-plugin-oauth2 cannot start: ${reason}`;
  if (logger) logger.error(message);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let initRuns = 0;

/** Called by init: proves that EG accepted the settings this time round. */
export function markInitialized(): void {
  initRuns += 1;
}

/**
 * Called when EG reads the manifest's schema, right before it validates the
 * settings and, if they pass, calls init in the same tick. If init has not run
 * by the next turn of the event loop, EG refused the settings (its own log
 * line above names the key): stop.
 */
export function expectInitSoon(): void {
  const before = initRuns;
  setImmediate(() => {
    if (initRuns === before) {
      stopGateway('Express Gateway rejected the plugin settings (plugins.oauth2 in system.config.yml); see the error above');
    }
  });
}
