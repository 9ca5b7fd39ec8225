import oauth2orize from 'oauth2orize';
import type { EgLogger, EgServices } from './eg/types';
import { clientCredentialsExchange } from './grants/client-credentials.exchange';
import { passwordExchange } from './grants/password.exchange';
import { refreshTokenExchange } from './grants/refresh-token.exchange';
import type { Settings } from './settings';
import type { TokenStore } from './store/token.store';
import type { TokenIssuer } from './tokens/token.issuer';

export interface ServerDeps {
  settings: Settings;
  services: EgServices;
  store: TokenStore;
  issuer: TokenIssuer;
  logger: EgLogger;
}

/** The oauth2orize server with an exchange for each enabled grant, and no other. */
export function createOAuth2Server(deps: ServerDeps): oauth2orize.OAuth2Server {
  const server = oauth2orize.createServer();
  const enabled = new Set(deps.settings.grants);
  if (enabled.has('client_credentials')) server.exchange(clientCredentialsExchange(deps.issuer));
  if (enabled.has('password')) server.exchange(passwordExchange(deps.issuer, deps.services, enabled.has('refresh_token')));
  if (enabled.has('refresh_token')) server.exchange(refreshTokenExchange(deps));
  return server;
}
