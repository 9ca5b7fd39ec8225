/**
 * express-gateway-plugin-oauth2: an OAuth 2.0 authorization server and
 * resource server for Express Gateway. This file only wires: settings ->
 * stores -> oauth2orize server -> routes and policy.
 */
import express, { Application } from 'express';
import { csrfProtection } from './lib/browser/csrf';
import { pageRenderer } from './lib/browser/pages';
import { browserSession } from './lib/browser/session';
import { compileViews, DEFAULT_VIEWS } from './lib/browser/views';
import { stopGateway } from './lib/eg/fail-loudly';
import { gatewayDb } from './lib/eg/gateway-db';
import { mountOnce, newRouter } from './lib/eg/mount-once';
import { oauthErrorHandler } from './lib/http/send-oauth-error';
import type { PluginContext } from './lib/eg/types';
import { createOAuth2Server } from './lib/oauth2-server';
import { resolveSettings } from './lib/settings';
import { CodeStore } from './lib/store/code.store';
import { ConsentStore } from './lib/store/consent.store';
import { egKeys } from './lib/store/eg-keys';
import { Throttle } from './lib/store/throttle';
import { TokenStore } from './lib/store/token.store';
import { TokenIssuer } from './lib/tokens/token.issuer';
import { throttledSignIn } from './lib/users/throttled-sign-in';
import { oauth2Policy } from './policies/oauth2';
import { mountAuthorizeRoutes } from './routes/authorize.route';
import { mountLoginRoutes } from './routes/login.route';
import { mountLogoutRoutes } from './routes/logout.route';
import { mountTokenRoute } from './routes/token.route';
import { settingsSchema } from './schemas/settings.schema';

function init(ctx: PluginContext): void {
  const { systemConfig, gatewayConfig } = ctx.config;
  const settings = resolveSettings(ctx.settings, systemConfig, gatewayConfig);
  const { logger, services } = ctx;
  const db = gatewayDb(services);
  const prefix = settings.store.keyPrefix;
  const store = new TokenStore(db, prefix, egKeys(systemConfig.db?.redis?.namespace ?? 'EG'), settings.refreshToken.ttl);
  const codes = new CodeStore(db, prefix);
  const issuer = new TokenIssuer(store, settings);
  const signIn = throttledSignIn(services, new Throttle(db, prefix, settings.login.window), settings.login);
  const server = createOAuth2Server({ settings, services, store, codes, issuer, signIn, logger });

  const endpoints = newRouter();
  mountTokenRoute(endpoints, { settings, services, server, logger });
  const browserFlows = settings.grants.includes('authorization_code') || settings.grants.includes('implicit');
  if (browserFlows) {
    const pages = {
      settings,
      services,
      session: browserSession(db, settings),
      csrf: csrfProtection(),
      sendPage: pageRenderer(compileViews(settings.views), settings),
      logger
    };
    mountAuthorizeRoutes(endpoints, { ...pages, server, consents: new ConsentStore(db, prefix, settings.consent.ttl) });
    mountLoginRoutes(endpoints, { ...pages, signIn });
    mountLogoutRoutes(endpoints, pages);
    endpoints.use(settings.routes.assets, express.static(settings.assets ?? `${DEFAULT_VIEWS}/assets`, { index: false, maxAge: '1h' }));
  }
  endpoints.use(oauthErrorHandler(logger)); // last resort: never Express's default page with a stack trace
  const router = newRouter();
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
