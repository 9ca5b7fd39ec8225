import type { PushedRequestStore } from './store/pushed-request.store';
import { InvalidRequestUri } from './errors';
import oauth2orize from 'oauth2orize';
import type { EgLogger, EgServices } from './eg/types';
import { authorizationCodeExchange } from './grants/authorization-code.exchange';
import { clientCredentialsExchange } from './grants/client-credentials.exchange';
import { codeGrant } from './grants/code.grant';
import { implicitGrant } from './grants/implicit.grant';
import { passwordExchange } from './grants/password.exchange';
import { refreshTokenExchange } from './grants/refresh-token.exchange';
import { deviceCodeExchange } from './grants/device-code.exchange';
import { jwtBearerExchange } from './grants/jwt-bearer.exchange';
import { saml2BearerExchange } from './grants/saml2-bearer.exchange';
import type { SamlRules } from './saml';
import type { SessionClients } from './oidc/session-clients';
import type { JwtAssertionTrust } from './assertions/jwt-assertion-trust';
import type { DeviceStore } from './device/device.store';
import type { ReplayGuard } from './store/replay.guard';
import { DEVICE_CODE, JWT_BEARER, SAML2_BEARER, TOKEN_EXCHANGE } from '../schemas/settings.schema';
import { tokenExchangeExchange } from './grants/token-exchange.exchange';
import type { LocalTokenValidator } from './tokens/local-token.validator';
import type { Subjects } from './oidc/subjects';
import type { Settings } from './settings';
import type { CodeStore } from './store/code.store';
import type { AccessRevocations } from './connected-apps/access-revocations';
import { openIdResponseGrant } from './grants/openid-response.grant';
import type { IdTokens } from './oidc/id-tokens';
import { OPENID_RESPONSE_TYPES } from './oidc/response-types';
import type { TokenStore } from './store/token.store';
import type { TokenIssuer } from './tokens/token.issuer';
import type { SignIn } from './users/throttled-sign-in';

export interface ServerDeps {
  settings: Settings;
  services: EgServices;
  store: TokenStore;
  codes: CodeStore;
  issuer: TokenIssuer;
  signIn: SignIn;
  trust: JwtAssertionTrust;
  replays: ReplayGuard;
  devices: DeviceStore;
  saml: SamlRules;
  logger: EgLogger;
  /** With OpenID Connect on: the clients each sign-in gave ID tokens to (back-channel logout). */
  sessions: SessionClients | null;
  /** Apps whose access a user took back: codes and device codes authorized before then are refused. */
  accessRevocations: AccessRevocations;
  /** With OpenID Connect on: signs the ID tokens of the implicit and hybrid response types. */
  idTokens: IdTokens | null;
  /** Reads this server's access tokens presented to the token exchange grant. */
  validator: LocalTokenValidator;
  /** What each app may learn of users: a pairwise app's tokens are exchanged by that app alone. */
  subjects: Subjects;
  /** Pushed authorization requests (RFC 9126), each request_uri used once. */
  pushed: PushedRequestStore;
}

/**
 * RFC 9126 §4: a pushed request is answered once. Its request_uri is marked used when the answer is made (a code, a
 * token or an error for the client), on every instance; a second answer, from another tab or a replayed decision, is
 * `invalid_request_uri`. First of the response handlers, so that nothing is issued before.
 */
function answerPushedRequestOnce(pushed: PushedRequestStore) {
  return function answerPushedRequestOnce(
    txn: { req: { pushedRequestUri?: string } },
    _res: unknown,
    next: (err?: unknown) => void
  ): void {
    const requestUri = txn.req.pushedRequestUri;
    if (!requestUri) return next();
    pushed
      .use(requestUri)
      .then((first) => next(first ? undefined : new InvalidRequestUri('This request_uri was already answered')), next);
  };
}

/** The oauth2orize server with a grant or exchange for each enabled grant type, and no other. */
export function createOAuth2Server(deps: ServerDeps): oauth2orize.OAuth2Server {
  const server = oauth2orize.createServer();
  const enabled = new Set(deps.settings.grants);
  const withRefreshToken = enabled.has('refresh_token');
  // @types/oauth2orize knows no response-phase handlers for every type, which oauth2orize has.
  const withPhases = server as unknown as { grant(type: '*', phase: 'response', handler: unknown): void };
  withPhases.grant('*', 'response', answerPushedRequestOnce(deps.pushed));
  if (enabled.has('authorization_code')) {
    server.grant(codeGrant(deps.codes, deps.settings));
    server.exchange(authorizationCodeExchange({ ...deps, withRefreshToken }));
  }
  if (enabled.has('implicit')) server.grant(implicitGrant(deps.issuer, deps.settings.issuer, deps.sessions));
  // OpenID Connect's implicit and hybrid response types (Core §3.2, §3.3): with the implicit grant on.
  if (enabled.has('implicit') && deps.idTokens) {
    for (const type of OPENID_RESPONSE_TYPES)
      server.grant(openIdResponseGrant(type, { ...deps, idTokens: deps.idTokens }) as never);
  }
  if (enabled.has('client_credentials')) server.exchange(clientCredentialsExchange(deps.issuer));
  if (enabled.has('password')) server.exchange(passwordExchange(deps, withRefreshToken));
  if (withRefreshToken) server.exchange(refreshTokenExchange(deps));
  if (enabled.has(JWT_BEARER)) server.exchange(JWT_BEARER, jwtBearerExchange(deps));
  if (enabled.has(SAML2_BEARER)) server.exchange(SAML2_BEARER, saml2BearerExchange(deps));
  if (enabled.has(DEVICE_CODE)) server.exchange(DEVICE_CODE, deviceCodeExchange({ ...deps, withRefreshToken }));
  if (enabled.has(TOKEN_EXCHANGE)) server.exchange(TOKEN_EXCHANGE, tokenExchangeExchange(deps));
  return server;
}
