import { appProperties, ClientRegistrar, ClientRegistration, RevokeAppTokens } from '../clients/client-registrar';
import type { EgApplicationDao } from '../eg/gateway-db';
import type { EgLogger, EgServices } from '../eg/types';
import type { ClientMetadata } from '../registration/client-metadata';
import { randomSecret } from '../secret-value';
import type { Settings } from '../settings';
import { SingleFlight } from '../single-flight';

/**
 * The app made from a document, as EG holds it now: `absent` also when its credential is missing (EG's app removal
 * leaves the credential, a crash may leave an app without one); `inactive` when the operator deactivated the app or
 * its credential.
 */
export type DocumentAppState = 'absent' | 'active' | 'inactive';

/** EG's refusal of a second app of one name and owner: here, another instance made the same app first. */
const SAME_APP_MADE = /already another application bound with/;

/** The host name of a client_id URL, whatever its port (a cap per port would be one per port). */
const hostName = (clientId: string) => (URL.canParse(clientId) ? new URL(clientId).hostname : clientId);

/** An app cannot be made from a document: the owner cannot be made, or the caps are reached. */
export class NoRoomForDocument extends Error {}

type DocumentSettings = Settings['clientIdMetadataDocuments'];

/**
 * The EG apps made from client ID metadata documents: id and name are the
 * client_id URL, `registeredVia: document`, owned by the user
 * clientIdMetadataDocuments.owner (made when missing), with an oauth2
 * credential holding clientIdMetadataDocuments.scopes and a secret nobody
 * knows (EG's credential needs one; such a client authenticates with none
 * or its keys). An operator stops one with `eg apps deactivate <url>`: a
 * later fetch refreshes its metadata but never makes it active again.
 */
export class DocumentApps {
  private readonly owning = new SingleFlight<string>();
  private warnedOfScopes = false;

  constructor(
    private readonly services: EgServices,
    private readonly dao: EgApplicationDao,
    private readonly registrar: ClientRegistrar,
    private readonly revokeAppTokens: RevokeAppTokens,
    private readonly settings: DocumentSettings,
    private readonly logger: EgLogger
  ) {}

  async state(clientId: string): Promise<DocumentAppState> {
    const [app, credential] = await Promise.all([
      this.services.application.get(clientId),
      this.services.credential.getCredential(clientId, 'oauth2')
    ]);
    if (!app) return 'absent';
    if (!app.isActive || app.registeredVia !== 'document') return 'inactive';
    if (!credential) return 'absent';
    return credential.isActive ? 'active' : 'inactive';
  }

  /**
   * Why no app may be made for a new client_id URL now, or undefined: checked
   * before its document is fetched, so that a host past its cap costs no fetch.
   */
  async noRoomFor(clientId: string): Promise<string | undefined> {
    const ids = await this.dao.getAllAppIdsByUser(await this.owner());
    if (ids.length >= this.settings.maxClients)
      return `the server holds its most clients from metadata documents (${this.settings.maxClients})`;
    const host = hostName(clientId);
    const ofHost = ids.filter((id) => hostName(id) === host).length;
    if (ofHost >= this.settings.maxClientsPerHost)
      return `the server holds its most clients from metadata documents of ${host} (${this.settings.maxClientsPerHost})`;
    return undefined;
  }

  /**
   * Makes the app and a new credential. Grants a removed app of the same URL left behind are revoked first: the URL
   * is met again, maybe named by somebody else, and its old tokens must not come back to life with it. Another
   * instance making it at the same time is no error.
   */
  async create(clientId: string, metadata: ClientMetadata): Promise<void> {
    await this.revokeAppTokens(clientId);
    const [existing, leftover] = await Promise.all([
      this.services.application.get(clientId),
      this.services.credential.getCredential(clientId, 'oauth2')
    ]);
    // The credential of a removed app holds the scopes of another time: it is made again, with today's.
    if (!existing && leftover) await this.services.credential.removeCredential(clientId, 'oauth2');
    const now = String(new Date());
    const app = {
      ...appProperties(await this.registration(clientId, metadata), 'document'),
      id: clientId,
      userId: await this.owner(),
      isActive: 'true',
      createdAt: now,
      updatedAt: now
    };
    // Its boolean is false when a concurrent insert added the ids first; EG throws when it wrote the name first.
    await this.dao.insert(app).catch(async (err: Error) => {
      if (!SAME_APP_MADE.test(err.message) || (await this.state(clientId)) === 'inactive') throw err;
    });
    const scopes = await this.grantedScopes();
    await this.services.credential
      .insertCredential(clientId, 'oauth2', { secret: randomSecret(), scopes })
      .catch(async (err: Error) => {
        if (!(await this.services.credential.getCredential(clientId, 'oauth2'))?.isActive) throw err;
      });
  }

  /** Replaces the app's metadata and scopes with the document's as fetched now. */
  async refresh(clientId: string, metadata: ClientMetadata): Promise<void> {
    await this.registrar.update(clientId, await this.registration(clientId, metadata));
  }

  private async registration(clientId: string, metadata: ClientMetadata): Promise<ClientRegistration> {
    return {
      name: clientId,
      redirectUris: metadata.redirectUris,
      isPublic: metadata.authMethod === 'none',
      scopes: await this.grantedScopes(),
      grantTypes: metadata.grantTypes,
      tokenEndpointAuthMethod: metadata.authMethod,
      jwks: metadata.jwks ? JSON.stringify(metadata.jwks) : undefined,
      jwksUri: metadata.jwksUri,
      openId: metadata.openId
    };
  }

  /** The configured scopes that exist in EG (a credential can hold no other); the others are logged. */
  private async grantedScopes(): Promise<string[]> {
    const known = (await this.services.credential.getAllScopes()) ?? [];
    const missing = this.settings.scopes.filter((scope) => !known.includes(scope));
    if (missing.length && !this.warnedOfScopes) {
      this.warnedOfScopes = true;
      this.logger.warn(
        `oauth2: clientIdMetadataDocuments.scopes names scopes EG does not have (${missing.join(', ')}); ` +
          'create them with eg scopes create'
      );
    }
    return this.settings.scopes.filter((scope) => known.includes(scope));
  }

  /** The id of the EG user owning the apps, made on first need; read each time, as an operator may remove it. */
  private owner(): Promise<string> {
    return this.owning.run('owner', async () => {
      const username = this.settings.owner;
      const found = await this.services.user.find(username);
      const user =
        found ||
        (await this.services.user
          .insert({ username, firstname: 'Client ID metadata', lastname: 'documents' })
          .catch((err: Error) => {
            throw new NoRoomForDocument(
              `EG refused to make the user clientIdMetadataDocuments.owner (${username}): ${err.message}; create it ` +
                'with eg users create'
            );
          }));
      return user.id;
    });
  }
}
