import type { StoreConnection } from '../store/store-connection';
import { ClientRegistrar, RevokeAppTokens } from '../clients/client-registrar';
import type { GuessingGuard } from '../credentials/guessing-guard';
import type { EgLogger, EgServices } from '../eg/types';
import { endpointUrl } from '../endpoint-url';
import type { Settings } from '../settings';
import { ClientMetadataStore } from '../store/client-metadata.store';
import { InitialAccessTokens } from '../store/initial-access-token.store';
import type { LocalTokenValidator } from '../tokens/local-token.validator';
import { DynamicClients } from './dynamic-clients';
import { InitialAccessCheck } from './initial-access';
import type { OperatorAppNames } from './operator-app-names';

/** What the registration endpoints and their admin routes share. */
export interface DynamicRegistration {
  settings: Settings;
  services: EgServices;
  guard: GuessingGuard;
  adminTokens: InitialAccessTokens;
  access: InitialAccessCheck;
  clients: DynamicClients;
  /** client_name may not copy one of these (RFC 7591 §3.2.2 invalid_client_metadata). */
  operatorNames: OperatorAppNames;
  logger: EgLogger;
}

interface Deps {
  settings: Settings;
  services: EgServices;
  guard: GuessingGuard;
  db: StoreConnection;
  validator: LocalTokenValidator;
  revokeAppTokens: RevokeAppTokens;
  operatorNames: OperatorAppNames;
  logger: EgLogger;
}

/** Builds dynamic client registration (RFC 7591, RFC 7592) over the plugin's Redis prefix. */
export function dynamicRegistration({
  settings,
  services,
  guard,
  db,
  validator,
  revokeAppTokens,
  operatorNames,
  logger
}: Deps): DynamicRegistration {
  const prefix = settings.store.keyPrefix;
  const adminTokens = new InitialAccessTokens(db, prefix);
  const registerUrl = endpointUrl(settings, settings.routes.register);
  const clients = new DynamicClients(
    new ClientRegistrar(services, revokeAppTokens),
    new ClientMetadataStore(db, prefix),
    (clientId) => `${registerUrl}/${encodeURIComponent(clientId)}`
  );
  return {
    settings,
    services,
    guard,
    adminTokens,
    access: new InitialAccessCheck(adminTokens, validator, settings.dynamicRegistration.initialAccessScope),
    clients,
    operatorNames,
    logger
  };
}
