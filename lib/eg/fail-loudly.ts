/**
 * Express Gateway only logs a plugin whose init fails, and goes on without
 * it. For this plugin that would be dangerous: a pipeline's `oauth2` would
 * silently fall back to EG's built-in policy. So a failed start stops the
 * gateway with a message and a non-zero exit.
 */
export function stopGateway(reason: string): never {
  // Once, on stderr, which Node writes synchronously: EG's logger may not have flushed before the exit.
  process.stderr.write(`express-gateway-plugin-oauth2 cannot start: ${reason}\n`);
  process.exit(1);
}
