/**
 * The package's public types, for gateways and tools written in TypeScript:
 *
 *   import manifest = require('express-gateway-plugin-oauth2');
 *   import type { OAuth2PluginSettings } from 'express-gateway-plugin-oauth2/dist/types';
 *
 * They reach only the schemas, which import nothing: compiling against them
 * needs none of this package's devDependencies (no @types/express).
 */
import type { egAuthSchema } from './schemas/eg-auth.schema';
import type { FromSchema } from './schemas/from-schema';
import type { policySchema } from './schemas/policy.schema';
import type { settingsSchema } from './schemas/settings.schema';

/** `plugins.oauth2` in system.config.yml, as written (every key optional but `package`, which EG reads). */
export type OAuth2PluginSettings = FromSchema<typeof settingsSchema> & { package?: string };

/** A pipeline's `- oauth2: - action: {...}` parameters. */
export type OAuth2PolicyParameters = FromSchema<typeof policySchema> & FromSchema<typeof egAuthSchema>;

/** What Express Gateway 1.16 hands a plugin's init (lib/plugins.js), as far as a caller of init needs to know. */
export interface GatewayPluginContext {
  settings: Record<string, unknown>;
  config: { systemConfig: object; gatewayConfig: object };
  services: object;
  logger: {
    error(message: string): void;
    warn(message: string): void;
    info(message: string): void;
    debug(message: string): void;
  };
  registerPolicy(policy: object): void;
  registerCondition(condition: object): void;
  registerGatewayRoute(declare: (app: never) => void): void;
  registerAdminRoute(declare: (app: never) => void): void;
}

/** The plugin manifest EG loads for `package: express-gateway-plugin-oauth2`. */
export interface OAuth2PluginManifest {
  version: string;
  policies: string[];
  conditions: string[];
  schema: object;
  init(ctx: GatewayPluginContext): void;
}
