import type { EgApplication, EgCredential, EgServices } from '../eg/types';
import { asScopeList } from '../scopes';
import { appGrantTypes, Client, ClientAuthMethod } from './client';

/** RFC 6749 §3.1.2: an absolute URI without a fragment. */
export function isUsableRedirectUri(uri: unknown): uri is string {
  if (typeof uri !== 'string' || !uri || uri.includes('#')) return false;
  try {
    return Boolean(new URL(uri).protocol);
  } catch {
    return false;
  }
}

/**
 * The redirect URIs of an app: EG's own `redirectUri` property plus any in a
 * `redirectUris` property (space separated), for apps that need several.
 * Unusable ones (relative, with a fragment) are ignored.
 */
export function registeredRedirectUris(app: EgApplication): string[] {
  const uris = [app.redirectUri, ...(typeof app.redirectUris === 'string' ? app.redirectUris.split(/\s+/) : [])];
  return [...new Set(uris.filter(isUsableRedirectUri))];
}

/** An app property `public: "true"` makes the app a public client. */
export function isPublicApp(app: EgApplication): boolean {
  return String(app.public).toLowerCase() === 'true';
}

/** Whether apps made from client ID metadata documents are clients now (clientIdMetadataDocuments.enabled). */
let documentClientsOn = false;

/** Set at each start: turned off, the apps made from documents stop being clients, their tokens with them. */
export function acceptDocumentClients(on: boolean): void {
  documentClientsOn = on;
}

/** Whether apps made from client ID metadata documents are clients now. */
export function acceptsDocumentClients(): boolean {
  return documentClientsOn;
}

/** An active app with an active oauth2 credential, read from EG (the secret's hash only when asked for). */
async function loadActive(services: EgServices, clientId: unknown, includePassword: boolean) {
  if (typeof clientId !== 'string' || !clientId || clientId.length > 200) return null;
  // Both reads at once (one round trip on EG's connection): a credential is keyed by its app's id, the client id.
  const [app, credential] = await Promise.all([
    services.application.get(clientId),
    services.credential.getCredential(clientId, 'oauth2', { includePassword })
  ]);
  if (!app || !app.isActive || app.id !== clientId) return null;
  if (app.registeredVia === 'document' && !documentClientsOn) return null;
  return credential && credential.isActive ? { app, credential } : null;
}

function toClient(app: EgApplication, credential: EgCredential, authMethod: ClientAuthMethod): Client {
  return {
    id: app.id,
    name: app.name,
    app,
    scopes: asScopeList(credential.scopes),
    redirectUris: registeredRedirectUris(app),
    isPublic: isPublicApp(app),
    authMethod,
    grantTypes: appGrantTypes(app)
  };
}

/**
 * Loads an active client by id, without authenticating it: for the
 * authorization endpoint and for public clients.
 * @returns null for an unknown or inactive app or credential.
 */
export async function findClient(
  services: EgServices,
  clientId: string,
  authMethod: ClientAuthMethod
): Promise<Client | null> {
  const found = await loadActive(services, clientId, false);
  return found && toClient(found.app, found.credential, authMethod);
}

/**
 * Like findClient, with the bcrypt hash of the client secret as stored now
 * (null for an app without one), for the caller to check a presented secret.
 */
export async function findClientWithSecretHash(
  services: EgServices,
  clientId: string,
  authMethod: ClientAuthMethod
): Promise<{ client: Client; secretHash: string | null } | null> {
  const found = await loadActive(services, clientId, true);
  if (!found) return null;
  const { secret } = found.credential;
  return {
    client: toClient(found.app, found.credential, authMethod),
    secretHash: typeof secret === 'string' && secret ? secret : null
  };
}
