import type { EgLogger } from './types';

/**
 * Express Gateway only logs a plugin whose init fails, and goes on without
 * it. For this plugin that would be dangerous: a pipeline's `oauth2` would
 * silently fall back to EG's built-in policy. So a failed start stops the
 * gateway with a message and a non-zero exit.
 */
export function stopGateway(reason: string, logger?: EgLogger): never {
  const message = `express-gateway-plugin-oauth2 cannot start: ${reason}`;
  if (logger) logger.error(message);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
