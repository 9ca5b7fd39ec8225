import { fetchClientUrl } from '../client-urls/client-url-fetch';
import type { EgLogger } from '../eg/types';
import { OAuthError } from '../errors';
import type { OperatorAppNames } from '../registration/operator-app-names';
import type { Settings } from '../settings';
import { SingleFlight } from '../single-flight';
import type { ClientDocumentStore } from '../store/client-document.store';
import type { RateLimit } from '../store/rate-limit';
import { readClientDocument } from './client-document';
import { DocumentApps, DocumentAppState, NoRoomForDocument } from './document-apps';
import { documentClientIdProblem, documentHost, isAllowedHost, isDocumentClientId } from './document-client-id';
import { documentLifetime } from './document-freshness';

/** Why a client_id URL names no usable client now, as a sentence a user or a client developer can act on. */
export class DocumentClientFailure extends Error {}

/**
 * Where a document client_id is met: the authorization endpoint needs the document as it is
 * now (its redirect URIs); a client authenticating at an endpoint with an app already made
 * goes on with it while its host cannot be reached or answers 5xx (nothing a failed fetch says
 * is kept, draft-ietf-oauth-client-id-metadata-document §5.2), not once it answers that the
 * document is gone.
 */
export type DocumentUse = 'authorize' | 'authenticate';

/** A fetch that brought no document: the host could not be reached, or answered this status. */
type NoDocument = { status?: number };

const UNUSABLE = 'could not be fetched as a JSON document (the gateway log says why)';

/**
 * Clients identified by a client ID metadata document
 * (draft-ietf-oauth-client-id-metadata-document): before the plugin looks a client up,
 * `ensure` makes sure that the app of a client_id URL exists and holds the document as
 * last fetched, fetching it again (under clientUrls, at most maxBytes, no redirect) once
 * its caching headers say it is stale. Concurrent requests for one URL share one fetch.
 */
export class DocumentClients {
  private readonly fetching = new SingleFlight<void>();

  constructor(
    private readonly apps: DocumentApps,
    private readonly store: ClientDocumentStore,
    private readonly rates: RateLimit,
    private readonly settings: Settings,
    private readonly operatorNames: () => OperatorAppNames,
    private readonly logger: EgLogger,
    private readonly fetch = fetchClientUrl
  ) {}

  /** Whether a client_id is one this server resolves by its document. */
  handles(clientId: unknown): clientId is string {
    return this.settings.clientIdMetadataDocuments.enabled && isDocumentClientId(clientId);
  }

  /**
   * Makes the app of a document client_id current; nothing for any other client_id.
   * @param ip the requester's address: each may bring only so many new client_id URLs a minute
   * @throws DocumentClientFailure saying why the client_id names no usable client.
   */
  async ensure(clientId: unknown, use: DocumentUse, ip: string): Promise<void> {
    if (!this.handles(clientId)) return;
    const problem = documentClientIdProblem(clientId);
    if (problem) throw new DocumentClientFailure(`The client_id URL ${problem}.`);
    const host = documentHost(clientId);
    if (!isAllowedHost(host, this.settings.clientIdMetadataDocuments.allowedHosts))
      throw new DocumentClientFailure(`This server does not accept clients whose metadata documents are at ${host}.`);
    const [kept, state] = await Promise.all([this.store.read(clientId), this.apps.state(clientId)]);
    // An app the operator deactivated stays so: the lookup that follows says it is not active.
    if (state === 'inactive' || (state === 'active' && kept && kept.freshUntil > Date.now())) return;
    if (state === 'absent') await this.countNewClient(ip);
    // One fetch per URL and use: an authorization must not go on with what a failed fetch let a token request keep.
    await this.fetching.run(`${use} ${clientId}`, () => this.refresh(clientId, state, use));
  }

  private async countNewClient(ip: string): Promise<void> {
    const limit = this.settings.clientIdMetadataDocuments.newClientsPerIp;
    const refusal = await this.rates.count([{ kind: 'client-document-ip', subject: ip, limit }]);
    if (refusal) {
      throw new DocumentClientFailure(
        `Too many new clients from this address; retry after ${refusal.retryAfterSeconds} seconds.`
      );
    }
  }

  /** The name the client's document gives, unverified, unless it reads as one of the operator's apps. */
  async claimedName(clientId: string): Promise<string | undefined> {
    return (await this.store.read(clientId))?.claimedName;
  }

  private async refresh(clientId: string, state: DocumentAppState, use: DocumentUse): Promise<void> {
    if (state === 'absent') {
      const full = await this.apps.noRoomFor(clientId).catch((err) => {
        if (!(err instanceof NoRoomForDocument)) throw err;
        this.logger.error(`oauth2: ${err.message}`);
        return 'the server cannot hold clients from metadata documents now';
      });
      if (full) throw new DocumentClientFailure(`The client cannot be used: ${full}.`);
    }
    const { maxBytes } = this.settings.clientIdMetadataDocuments;
    // Why a fetch failed goes to the log only: what a host answers is not told to whoever named it.
    const fetched = await this.fetch(clientId, this.settings.clientUrls, maxBytes).then(
      (answer): typeof answer | NoDocument => {
        if (answer.status === 200) return answer;
        this.logger.warn(`oauth2: the client metadata document ${clientId} answered HTTP ${answer.status}`);
        return { status: answer.status };
      },
      (err: Error): NoDocument => {
        this.logger.warn(`oauth2: the client metadata document ${clientId} could not be fetched: ${err.message}`);
        return {};
      }
    );
    if (!('text' in fetched)) {
      const unreachable = fetched.status === undefined || fetched.status >= 500;
      if (use === 'authenticate' && state === 'active' && unreachable) return; // the app as last fetched
      throw new DocumentClientFailure(`The client's metadata document at ${clientId} ${UNUSABLE}.`);
    }
    const metadata = this.read(clientId, fetched.text);
    const seconds = documentLifetime(fetched.headers ?? {}, this.settings.clientIdMetadataDocuments);
    if (state === 'absent') await this.apps.create(clientId, metadata);
    else await this.apps.refresh(clientId, metadata);
    const name = metadata.clientName;
    const claimedName = name && !(await this.operatorNames().resemble(name)) ? name : undefined;
    await this.store.save(clientId, { freshUntil: Date.now() + seconds * 1000, claimedName });
    if (state === 'absent') this.logger.info(`oauth2: client ${clientId} made from its metadata document`);
  }

  private read(clientId: string, text: string) {
    try {
      return readClientDocument(clientId, text, {
        grants: this.settings.grants,
        allowedScopes: [],
        knownScopes: [],
        openId: this.settings.oidc.enabled,
        clientUrls: this.settings.clientUrls
      });
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      throw new DocumentClientFailure(`The client's metadata document at ${clientId} is not usable: ${err.message}.`);
    }
  }
}
