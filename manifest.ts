/**
 * express-gateway-plugin-oauth2: an OAuth 2.0 authorization server and
 * resource server for Express Gateway. This file only wires: settings ->
 * store -> oauth2orize server -> routes and policy.
 */
import type { Application } from 'express';
import { stopGateway } from './lib/eg/fail-loudly';
import { gatewayDb } from './lib/eg/gateway-db';
import { mountOnce, newRouter } from './lib/eg/mount-once';
import type { PluginContext } from './lib/eg/types';
import { createOAuth2Server } from './lib/oauth2-server';
import { resolveSettings } from './lib/settings';
import { egKeys } from './lib/store/eg-keys';
import { TokenStore } from './lib/store/token.store';
import { TokenIssuer } from './lib/tokens/token.issuer';
import { oauth2Policy } from './policies/oauth2';
import { mountTokenRoute } from './routes/token.route';
import { settingsSchema } from './schemas/settings.schema';

function init(ctx: PluginContext): void {
  const { systemConfig, gatewayConfig } = ctx.config;
  const settings = resolveSettings(ctx.settings, systemConfig, gatewayConfig);
  const logger = ctx.logger;
  const store = new TokenStore(gatewayDb(ctx.services), settings.store.keyPrefix, egKeys(systemConfig.db?.redis?.namespace ?? 'EG'));
  const issuer = new TokenIssuer(store, settings);
  const server = createOAuth2Server({ settings, services: ctx.services, store, issuer, logger });

  const router = newRouter();
  const endpoints = newRouter();
  mountTokenRoute(endpoints, { settings, services: ctx.services, server, logger });
  router.use(settings.basePath, endpoints);

  ctx.registerPolicy(oauth2Policy({ store, logger }));
  ctx.registerGatewayRoute((app: Application) => mountOnce(app, router));
  logger.info(`oauth2: issuer ${settings.issuer}, endpoints under ${settings.basePath}, grants: ${settings.grants.join(', ')}`);
}

const manifest = {
  version: '1.2.0',
  policies: ['oauth2'],
  /**
   * What EG validates before init: deliberately only an envelope. Were EG to
   * refuse the settings it would merely log and run on without the plugin;
   * init validates them against the full schema and stops the gateway with
   * a message naming the key instead.
   */
  schema: {
    $id: 'https://express-gateway-plugin-oauth2/schemas/plugin-envelope.json',
    type: 'object',
    description: `Validated by the plugin against ${settingsSchema.$id}`
  },
  init(ctx: PluginContext): void {
    try {
      init(ctx);
    } catch (err) {
      stopGateway(err instanceof Error ? err.message : String(err), ctx.logger);
    }
  }
};

export = manifest;
