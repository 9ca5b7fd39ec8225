/**
 * express-gateway-plugin-oauth2: an OAuth 2.0 authorization server and
 * resource server for Express Gateway. This file only wires: settings ->
 * stores -> oauth2orize server -> routes and policy.
 */
import type { Application } from 'express';
import { dpopAlgorithms, FAPI2_MAX_FUTURE_S, isFapi2 } from './lib/fapi/fapi2-profile';
import { stopGateway } from './lib/eg/fail-loudly';
import { beginConfiguration, configurationMounted, latest, onConfigurationTaken } from './lib/eg/process-state';
import { keptStateLine } from './lib/store/kept-state-line';
import { gatewayApplicationDao, gatewayDb, gatewayIoredis } from './lib/eg/gateway-db';
import { acceptDocumentClients } from './lib/clients/client.repository';
import { ClientRegistrar } from './lib/clients/client-registrar';
import { DocumentApps } from './lib/client-documents/document-apps';
import { DocumentClients } from './lib/client-documents/document-clients';
import { DpopProofs } from './lib/dpop/dpop-proofs';
import { PushedRequestStore } from './lib/store/pushed-request.store';
import { mountParRoute } from './routes/par.route';
import { RequestObjects } from './lib/authorize/request-object';
import { DpopNonces } from './lib/dpop/dpop-nonces';
import { ProofOfPossession } from './lib/dpop/proof-of-possession';
import { ClientDocumentStore } from './lib/store/client-document.store';
import { openPluginStore } from './lib/store/plugin-store';
import { warnIfEvicting } from './lib/store/eviction-check';
import { ProcessOwnerIndex, RedisOwnerIndex } from './lib/store/owner-index';
import { isCluster, StoreConnection } from './lib/store/store-connection';
import { mountOnce, newRouter } from './lib/eg/mount-once';
import { oauthErrorHandler } from './lib/http/send-oauth-error';
import type { PluginContext } from './lib/eg/types';
import { createOAuth2Server } from './lib/oauth2-server';
import { resolveSettings } from './lib/settings';
import { CodeStore } from './lib/store/code.store';
import { egKeys } from './lib/store/eg-keys';
import { RateLimit } from './lib/store/rate-limit';
import { compareSharedSettings } from './lib/store/shared-settings';
import { Throttle } from './lib/store/throttle';
import { TokenStore } from './lib/store/token.store';
import { BearerReader } from './lib/store/bearer.reader';
import { revocationFeed } from './lib/store/revocation-feed';
import { TokenKeys } from './lib/store/token-keys';
import { JwtAccessTokens } from './lib/tokens/jwt-access-token';
import { LocalTokenValidator } from './lib/tokens/local-token.validator';
import { TokenCache } from './lib/tokens/token-cache';
import { VerifiedSecrets } from './lib/credentials/verified-secrets';
import { BcryptPool } from './lib/credentials/bcrypt-pool';
import { GuessingGuard } from './lib/credentials/guessing-guard';
import { announceConsumerChanges } from './lib/eg/consumer-changes';
import { TokenInspector } from './lib/tokens/token.inspector';
import { TokenIssuer } from './lib/tokens/token.issuer';
import { TokenRevoker } from './lib/tokens/token.revoker';
import { isEmulatedStore } from './lib/eg/emulated-store';
import { saltRounds } from './lib/eg/salt-rounds';
import { oneLineLogger } from './lib/eg/one-line-logger';
import { startLine } from './lib/eg/start-line';
import { leftoverLines } from './lib/eg/eg-leftovers';
import { checkAppModel } from './lib/eg/app-model';
import { checkPipelines } from './lib/eg/pipeline-params';
import { dryRunPolicy } from './policies/oauth2/dry-run';
import type { OAuth2PluginManifest } from './types';
import { oauth2ScopesCondition } from './conditions/oauth2-scopes';
import { mountAdminRevocationRoutes } from './routes/admin-revocation.route';
import { mountAdminGrantRoutes } from './routes/admin-grants.route';
import { AccessRevocations } from './lib/connected-apps/access-revocations';
import { ConnectedApps } from './lib/connected-apps/connected-apps';
import { ConsentStore } from './lib/store/consent.store';
import { GrantFactsReader } from './lib/store/grant-facts';
import { mountIntrospectRoute } from './routes/introspect.route';
import { mountJwksRoute } from './routes/jwks.route';
import { mountMetadataRoute } from './routes/metadata.route';
import { mountOpenIdConfigurationRoute } from './routes/openid-configuration.route';
import { mountProtectedResourceRoutes } from './routes/protected-resource-metadata.route';
import { openIdConfigurationPaths } from './lib/oidc/configuration-paths';
import { mountUserInfoRoute } from './routes/userinfo.route';
import { IdTokens } from './lib/oidc/id-tokens';
import { Subjects } from './lib/oidc/subjects';
import { BackchannelLogout } from './lib/oidc/backchannel-logout';
import { SessionClients } from './lib/oidc/session-clients';
import { loadKeys } from './lib/keys/key-entry';
import { mountRevokeRoute } from './routes/revoke.route';
import { mountTokenInfoRoute } from './routes/tokeninfo.route';
import { throttledSignIn } from './lib/users/throttled-sign-in';
import { oauth2Policy } from './policies/oauth2';
import { mountTokenRoute } from './routes/token.route';
import { DEVICE_CODE, settingsSchema } from './schemas/settings.schema';
import { JwtAssertionTrust } from './lib/assertions/jwt-assertion-trust';
import { clientAuthentication } from './lib/clients/client-auth.middleware';
import { ClientAssertions } from './lib/clients/client-assertion';
import { tlsClientAuthentication } from './lib/mtls/tls-client-auth';
import { DeviceStore } from './lib/device/device.store';
import { assertionAudiences, endpointUrl } from './lib/endpoint-url';
import { trustedIdps } from './lib/saml/trusted-idps';
import { ReplayGuard } from './lib/store/replay.guard';
import { boundServices, pluginConnection } from './lib/eg/store-deadline';
import { mountDeviceAuthorizationRoute } from './routes/device-authorization.route';
import { ServerDirectory } from './lib/servers/server-directory';
import { mountAdminServerRoutes } from './routes/admin-servers.route';
import { mountServerProxyRoutes } from './routes/server-proxy.route';
import { adminBodyErrors } from './lib/http/admin-body-errors';
import { limitJsonNesting } from './lib/http/json-depth';
import { mountPages } from './routes/pages';
import { mountNotFound } from './routes/not-found.route';
import { apiEndpointPaths, apiEndpointRoutes } from './lib/eg/api-endpoint-paths';
import { LiveListenPaths } from './lib/servers/live-listen-paths';
import { reservedPaths } from './lib/servers/listen-path-conflicts';
import { listenPathHandler } from './routes/listen-paths.route';
import { pageRenderer } from './lib/browser/pages';
import { compileViews } from './lib/browser/views';
import { dynamicRegistration } from './lib/registration/dynamic-registration';
import { mountRegisterRoutes } from './routes/register.route';
import { mountAdminRegistrationTokenRoutes } from './routes/admin-registration-tokens.route';
import { OperatorAppNames } from './lib/registration/operator-app-names';
import { ProtectedResources } from './lib/resources/protected-resources';
import { ResourceIndicators } from './lib/resources/resource-indicators';
import { UpstreamTokens } from './lib/token-exchange/upstream-tokens';

/** Whether init ran once already in this process: EG runs it again on every hot reload of its configuration. */
let started = false;

function init(ctx: PluginContext): void {
  const processConfiguration = beginConfiguration();
  const { systemConfig, gatewayConfig } = ctx.config;
  const settings = resolveSettings(ctx.settings, systemConfig, gatewayConfig);
  checkAppModel(settings, ctx.config.models);
  // At the first start only: on EG's hot reload the policy refuses a bad step itself, and EG keeps the pipelines it
  // has.
  if (!started) checkPipelines(gatewayConfig, dryRunPolicy);
  const logger = oneLineLogger(ctx.logger);
  const prefix = settings.store.keyPrefix;
  const emulated = isEmulatedStore(systemConfig);
  // On a real Redis the plugin waits on Redis at most store.timeout, on a connection of its own; EG's stays as EG made
  // it.
  const egDb = emulated
    ? gatewayDb(ctx.services)
    : pluginConnection(gatewayDb(ctx.services), settings.store.timeout, logger);
  const services = emulated ? ctx.services : boundServices(ctx.services, settings.store.timeout, egDb);
  // The plugin's own data: on a store of its own (store.redis), or beside EG's records.
  const ownStore = settings.store.redis !== undefined;
  const db: StoreConnection = ownStore
    ? openPluginStore(settings.store.redis!, gatewayIoredis(ctx.services), settings.store.timeout, logger)
    : egDb;
  // Only the emulated store, in one process, has no Redis to announce changes through.
  const inProcess = emulated && !ownStore;
  const feed = revocationFeed(db, prefix, inProcess, logger);
  const servers = ServerDirectory.create(db, prefix, inProcess, logger);
  const listenPaths = LiveListenPaths.for(servers, logger);
  const tokenKeys = new TokenKeys(prefix, isCluster(db));
  const longestLife = Math.max(settings.accessToken.ttl, settings.refreshToken.ttl);
  // On the emulated store, which lives in this process, the index of each owner's grants does too (owner-index.ts).
  const owners = inProcess ? ProcessOwnerIndex.of(db) : new RedisOwnerIndex(db, tokenKeys, longestLife);
  const store = new TokenStore(
    db,
    tokenKeys,
    longestLife,
    (event) => feed.publish(event),
    !emulated && !ownStore,
    owners
  );
  const codes = new CodeStore(db, prefix);
  const keys = loadKeys(settings.keys, 'plugins.oauth2.keys');
  // The protected resources of the pipelines (RFC 9728), and those tokens may be requested for (RFC 8707).
  const resources = new ProtectedResources(
    gatewayConfig,
    settings.issuer,
    settings.accessToken.audience,
    !started,
    logger
  );
  const jwts = new JwtAccessTokens(settings, keys);
  const indicators = new ResourceIndicators(resources);
  // What each app may learn of users (pairwise apps never their ids), whether OpenID Connect is on or not.
  const subjects = new Subjects(settings.oidc.pairwiseSecret);
  const idTokens = settings.oidc.enabled ? new IdTokens(settings, keys, subjects) : null;
  // The grants each sign-in started with ID tokens, ended when it ends: kept as long as such a grant may live, and
  // once ended, as long as a code issued before may still be exchanged.
  const sessions = idTokens
    ? new SessionClients(db, prefix, Math.max(settings.session.ttl, longestLife), settings.authorizationCode.ttl + 5)
    : null;
  announceConsumerChanges(ctx.services, (event) => feed.publish(event));
  const tokenCache =
    settings.tokenCache.ttl > 0
      ? TokenCache.shared(
          'local tokens',
          LocalTokenValidator.cacheConfig(settings),
          settings.tokenCache.maxEntries,
          feed
        )
      : null;
  const eg = egKeys(systemConfig.db?.redis?.namespace ?? 'EG');
  const validator = new LocalTokenValidator(new BearerReader(db, egDb, tokenKeys, eg), jwts, settings, tokenCache);
  const secrets = VerifiedSecrets.shared(settings.credentialCache, feed, BcryptPool.shared(settings.bcrypt));
  const issuer = new TokenIssuer(store, settings, jwts, idTokens, subjects);
  const throttle = new Throttle(db, prefix, settings.login.window);
  const guard = latest(
    'guessing guard',
    () =>
      new GuessingGuard(throttle, secrets, BcryptPool.shared(settings.bcrypt), saltRounds(systemConfig), feed, logger),
    (old) => old.dispose()
  );
  const signIn = throttledSignIn(services, guard, settings.login);
  const replays = new ReplayGuard(db, prefix);
  const audiences = assertionAudiences(settings);
  const trust = new JwtAssertionTrust(settings, audiences, logger);
  // Clients that prove themselves with a TLS certificate (RFC 8705 §2), the gateway's or a trusted terminator's.
  const tlsClients = tlsClientAuthentication(settings, gatewayConfig, trust);
  const operatorNames = latest(
    'operator app names',
    () => new OperatorAppNames(egDb, eg, feed),
    (old) => old.dispose()
  );
  // Clients named by an https client_id, whose metadata document is fetched and kept as an EG app.
  acceptDocumentClients(settings.clientIdMetadataDocuments.enabled);
  const documents = new DocumentClients(
    new DocumentApps(
      services,
      gatewayApplicationDao(ctx.services),
      new ClientRegistrar(services, (appId) => store.revokeAllOf('app', appId)),
      (appId) => store.revokeAllOf('app', appId),
      settings.clientIdMetadataDocuments,
      logger
    ),
    new ClientDocumentStore(db, prefix),
    new RateLimit(db, prefix, 60),
    settings,
    () => operatorNames,
    logger
  );
  const clientAuth = clientAuthentication(
    services,
    { guard, settings },
    settings.issuer,
    new ClientAssertions(
      services,
      trust,
      settings.assertions,
      replays,
      documents,
      isFapi2(settings) ? settings.issuer : undefined
    ),
    documents,
    tlsClients
  );
  const devices = new DeviceStore(db, prefix);
  // As long as a code or device code authorized before an app's access was taken back may still be exchanged.
  const accessRevocations = new AccessRevocations(
    db,
    prefix,
    Math.max(settings.authorizationCode.ttl, settings.device.ttl) + 60
  );
  const saml = {
    idps: trustedIdps(settings),
    audiences,
    recipient: endpointUrl(settings, settings.routes.token),
    ...settings.assertions
  };
  const requestObjects = new RequestObjects(trust, logger, isFapi2(settings) ? settings.issuer : undefined);
  const pushed = new PushedRequestStore(db, prefix, {
    ttl: settings.par.ttl,
    opened: settings.par.ttl + settings.session.visitorTtl,
    used: settings.par.ttl + settings.session.visitorTtl + settings.session.ttl
  });
  const server = createOAuth2Server({
    pushed,
    settings,
    services,
    store,
    codes,
    issuer,
    signIn,
    trust,
    replays,
    devices,
    saml,
    logger,
    sessions,
    accessRevocations,
    idTokens,
    validator,
    subjects
  });

  const endpoints = newRouter();
  // Each DPoP proof is taken once, at the token endpoint and the pipelines alike (RFC 9449 §11.1).
  const dpopProofs = new DpopProofs(
    replays,
    new DpopNonces(settings.session.secret),
    settings.dpop.requireNonce,
    dpopAlgorithms(settings),
    isFapi2(settings) ? FAPI2_MAX_FUTURE_S : undefined
  );
  const certificates = tlsClients.certificates;
  mountTokenRoute(endpoints, { settings, dpopProofs, certificates, clientAuth, server, indicators, logger });
  if (settings.grants.includes('authorization_code') || settings.grants.includes('implicit'))
    mountParRoute(endpoints, {
      settings,
      services,
      documents,
      indicators,
      clientAuth,
      dpopProofs,
      pushed,
      requestObjects,
      logger
    });
  mountRevokeRoute(endpoints, { settings, clientAuth, revoker: new TokenRevoker(store, jwts), logger });
  mountIntrospectRoute(endpoints, {
    settings,
    clientAuth,
    inspector: new TokenInspector(validator, store, services, settings.issuer),
    subjects,
    logger
  });
  if (settings.grants.includes(DEVICE_CODE))
    mountDeviceAuthorizationRoute(endpoints, {
      settings,
      clientAuth,
      devices,
      rates: new RateLimit(db, prefix, 60),
      indicators,
      logger
    });
  // DPoP-bound tokens only with a proof of their key, at the pipelines and the server's own resources (RFC 9449 §7).
  const possession = new ProofOfPossession(
    dpopProofs,
    certificates,
    settings.issuer,
    [...settings.dpop.origins, ...(settings.mtls.endpointOrigin ? [settings.mtls.endpointOrigin] : [])],
    isFapi2(settings)
  );
  mountTokenInfoRoute(endpoints, { settings, validator, subjects, resources, possession, logger });
  const registration = settings.dynamicRegistration.enabled
    ? dynamicRegistration({
        settings,
        services,
        guard,
        db,
        validator,
        revokeAppTokens: (appId) => store.revokeAllOf('app', appId),
        operatorNames,
        logger
      })
    : null;
  if (registration) mountRegisterRoutes(endpoints, registration);
  if (jwts.hasPublicKeys) mountJwksRoute(endpoints, settings, jwts);
  const grantFacts = new GrantFactsReader(db, tokenKeys);
  if (idTokens)
    mountUserInfoRoute(endpoints, {
      settings,
      services,
      validator,
      facts: grantFacts,
      idTokens,
      resources,
      possession,
      logger
    });
  const sendPage = pageRenderer(compileViews(settings.views), settings, logger);
  const backchannel =
    idTokens && sessions && new BackchannelLogout(sessions, store, idTokens, services, settings, logger);
  const consents = new ConsentStore(db, prefix, settings.consent.ttl);
  const connectedApps = new ConnectedApps(
    store,
    grantFacts,
    consents,
    accessRevocations,
    services,
    backchannel,
    logger
  );
  mountPages(endpoints, {
    settings,
    services,
    db,
    server,
    devices,
    throttle,
    signIn,
    store,
    operatorNames,
    sendPage,
    logger,
    idTokens,
    backchannel,
    consents,
    connectedApps,
    indicators,
    documents,
    pushed,
    requestObjects
  });
  mountServerProxyRoutes(endpoints, { settings, servers });
  mountNotFound(endpoints, {
    settings,
    sendPage,
    publishesJwks: jwts.hasPublicKeys,
    apiPaths: apiEndpointPaths(gatewayConfig),
    logger
  });
  endpoints.use(oauthErrorHandler(logger)); // last resort: never Express's default page with a stack trace
  const router = newRouter();
  const protectedResources = resources.issuable();
  const mtlsMethods = tlsClients.methods;
  mountMetadataRoute(router, {
    settings,
    services,
    publishesJwks: jwts.hasPublicKeys,
    protectedResources,
    mtlsMethods,
    logger
  });
  if (idTokens)
    mountOpenIdConfigurationRoute(router, { settings, services, idTokens, protectedResources, mtlsMethods, logger });
  mountProtectedResourceRoutes(router, {
    resources,
    servers,
    issuer: settings.issuer,
    dpop: { algorithms: dpopAlgorithms(settings), boundOnly: possession.challenge(false).boundOnly },
    certificateBound: certificates.available,
    logger
  });
  router.use(settings.basePath, endpoints);
  const admin = newRouter();
  admin.use(['/oauth2', '/oauth/servers'], limitJsonNesting(32));
  mountAdminRevocationRoutes(admin, { services, store, logger });
  mountAdminGrantRoutes(admin, { services, store, facts: grantFacts, consents, connectedApps });
  mountAdminServerRoutes(admin, { directory: servers, listenPaths, strict: settings.servers.strict, logger });
  if (registration) mountAdminRegistrationTokenRoutes(admin, registration);
  admin.use(adminBodyErrors, oauthErrorHandler(logger)); // what the admin routes' steps throw, as OAuth-style JSON

  ctx.registerPolicy(
    oauth2Policy({
      validator,
      feed,
      servers,
      strictServers: settings.servers.strict,
      resources,
      upstreamTokens: new UpstreamTokens(issuer, settings),
      possession,
      logger
    })
  );
  ctx.registerCondition(oauth2ScopesCondition);
  // OpenID Connect Discovery §4 puts the configuration under the issuer's path, which may be outside basePath.
  const issuerPathPrefix = idTokens
    ? openIdConfigurationPaths(settings.issuer).filter((p) => !p.startsWith('/.well-known/'))
    : [];
  // Every route is under basePath, but for the metadata, which RFC 8414 puts under /.well-known/.
  ctx.registerGatewayRoute((app: Application) => {
    configurationMounted(processConfiguration); // EG mounts the first init's routes again when it refuses a reload
    mountOnce(app, router, { name: 'routes', prefixes: [settings.basePath, '/.well-known/', ...issuerPathPrefix] });
  });
  listenPaths.reserve(processConfiguration, reservedPaths(settings, apiEndpointRoutes(gatewayConfig)), logger);
  ctx.registerGatewayRoute((app: Application) =>
    mountOnce(app, listenPathHandler({ settings, servers, live: listenPaths, logger }), { name: 'listen paths' })
  );
  ctx.registerAdminRoute((app: Application) => mountOnce(app, admin, { name: 'admin', errorHandler: adminBodyErrors }));
  if (!emulated && !ownStore)
    store
      .noteIndexLayout()
      .catch((err: Error) => logger.warn(`oauth2: could not record the grant index layout: ${err.message}`));
  if (!inProcess) {
    void warnIfEvicting(db, logger);
    compareSharedSettings(db, prefix, settings, logger).catch((err: Error) =>
      logger.warn(`oauth2: could not compare settings with the other instances: ${err.message}`)
    );
  }
  logger.info(startLine(settings, systemConfig, emulated));
  // Said once a configuration is in force alone, and what it does not use disposed.
  onConfigurationTaken(() => logger.debug(keptStateLine()));
  // Said at start as the check command says it, so that the two never disagree; a warning, since nothing breaks.
  if (ctx.config.systemConfigPath)
    for (const line of leftoverLines(ctx.config.systemConfigPath)) logger.warn(`oauth2: ${line}`);
}

const manifest: OAuth2PluginManifest = {
  version: '1.2.0',
  policies: ['oauth2'],
  conditions: ['oauth2-scopes'],
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
  init(ctx): void {
    try {
      // The public type says only what EG hands over; ours (lib/eg/types.ts) says what the plugin uses of it.
      init(ctx as unknown as PluginContext);
      started = true;
    } catch (err) {
      stopGateway(err instanceof Error ? err.message : String(err));
    }
  }
};

export = manifest;
