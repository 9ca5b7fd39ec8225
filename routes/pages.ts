import express, { Router } from 'express';
import type { StoreConnection } from '../lib/store/store-connection';
import type { OAuth2Server } from 'oauth2orize';
import { csrfProtection } from '../lib/browser/csrf';
import type { SendPage } from '../lib/browser/pages';
import { browserSession } from '../lib/browser/session';
import { DEFAULT_VIEWS } from '../lib/browser/views';
import { ClientRegistrar } from '../lib/clients/client-registrar';
import type { OperatorAppNames } from '../lib/registration/operator-app-names';
import { RevealOnce } from '../lib/registration/reveal-once';
import type { DeviceStore } from '../lib/device/device.store';
import type { IdTokens } from '../lib/oidc/id-tokens';
import type { BackchannelLogout } from '../lib/oidc/backchannel-logout';
import type { EgLogger, EgServices } from '../lib/eg/types';
import type { Settings } from '../lib/settings';
import type { ConsentStore } from '../lib/store/consent.store';
import type { ConnectedApps } from '../lib/connected-apps/connected-apps';
import type { Throttle } from '../lib/store/throttle';
import type { TokenStore } from '../lib/store/token.store';
import type { throttledSignIn } from '../lib/users/throttled-sign-in';
import { DEVICE_CODE } from '../schemas/settings.schema';
import { mountAuthorizeRoutes } from './authorize.route';
import { mountClientAppRoutes } from './client-apps.route';
import { mountConnectedAppsRoutes } from './connected-apps.route';
import { mountDeviceRoutes } from './device.route';
import { mountLoginRoutes } from './login.route';
import { mountLogoutRoutes } from './logout.route';
import type { ResourceIndicators } from '../lib/resources/resource-indicators';
import type { DocumentClients } from '../lib/client-documents/document-clients';
import type { PushedRequestStore } from '../lib/store/pushed-request.store';
import type { RequestObjects } from '../lib/authorize/request-object';

interface Deps {
  settings: Settings;
  services: EgServices;
  db: StoreConnection;
  server: OAuth2Server;
  devices: DeviceStore;
  throttle: Throttle;
  signIn: ReturnType<typeof throttledSignIn>;
  store: TokenStore;
  operatorNames: OperatorAppNames;
  sendPage: SendPage;
  logger: EgLogger;
  /** With OpenID Connect on: the logout page is also the end_session_endpoint. */
  idTokens: IdTokens | null;
  /** With OpenID Connect on: tells the clients of a sign-in that it ended. */
  backchannel: BackchannelLogout | null;
  consents: ConsentStore;
  connectedApps: ConnectedApps;
  /** Checks the resources an authorization request names (RFC 8707). */
  indicators: ResourceIndicators;
  /** Clients named by a client ID metadata document URL. */
  documents: DocumentClients;
  pushed: PushedRequestStore;
  requestObjects: RequestObjects;
}

/**
 * The pages people see (consent, device code entry, self-service apps, connected apps) and
 * the login they share, with one session, CSRF protection and set of views.
 * Only mounted when something enabled needs them.
 */
export function mountPages(
  router: Router,
  {
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
  }: Deps
): void {
  const browserFlows = settings.grants.includes('authorization_code') || settings.grants.includes('implicit');
  const deviceFlow = settings.grants.includes(DEVICE_CODE);
  const webRegistration = settings.clientRegistration.enabled;
  if (!browserFlows && !deviceFlow && !webRegistration) return;
  const pages = {
    settings,
    services,
    session: browserSession(db, settings),
    csrf: csrfProtection(),
    sendPage,
    logger,
    documents
  };
  if (browserFlows)
    mountAuthorizeRoutes(router, {
      ...pages,
      server,
      consents,
      idTokens,
      indicators,
      pushed,
      requestObjects
    });
  if (deviceFlow) mountDeviceRoutes(router, { ...pages, devices, throttle });
  if (webRegistration) {
    const registrar = new ClientRegistrar(services, (appId) => store.revokeAllOf('app', appId));
    mountClientAppRoutes(router, {
      ...pages,
      registrar,
      reveals: new RevealOnce(db, settings.store.keyPrefix),
      operatorNames
    });
  }
  mountConnectedAppsRoutes(router, { ...pages, connectedApps });
  mountLoginRoutes(router, { ...pages, signIn, backchannel });
  mountLogoutRoutes(router, { ...pages, idTokens, backchannel });
  router.use(
    settings.routes.assets,
    express.static(settings.assets ?? `${DEFAULT_VIEWS}/assets`, { index: false, maxAge: '1h' })
  );
}
