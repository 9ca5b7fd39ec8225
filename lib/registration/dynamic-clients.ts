import {
  AppNameTaken,
  ClientRegistrar,
  ClientRegistration,
  OwnerGone,
  RegisteredClient,
  SubjectsWouldChange
} from '../clients/client-registrar';
import { InvalidClientMetadata, InvalidToken } from '../errors';
import type { ClientMetadataStore, StoredRegistration } from '../store/client-metadata.store';
import { randomSecret } from '../secret-value';
import { clientInformation, usesSecret } from './client-information';
import type { ClientMetadata } from './client-metadata';

/** A registration as its registration access token reveals it. */
export interface DynamicClient {
  client: RegisteredClient;
  stored: StoredRegistration;
}

function toRegistration(metadata: ClientMetadata, name: string): ClientRegistration {
  return {
    name,
    redirectUris: metadata.redirectUris,
    isPublic: metadata.authMethod === 'none',
    scopes: metadata.scopes,
    grantTypes: metadata.grantTypes,
    tokenEndpointAuthMethod: metadata.authMethod,
    jwks: metadata.jwks ? JSON.stringify(metadata.jwks) : undefined,
    jwksUri: metadata.jwksUri,
    flags: metadata.flags,
    openId: metadata.openId
  };
}

function shownBack(metadata: ClientMetadata): Record<string, unknown> {
  return { response_types: metadata.responseTypes, ...metadata.about, ...metadata.openId?.about };
}

/**
 * What EG's refusal to make the app means to the client: a name its owner
 * already uses, or a third app of a name two already share
 * (application.dao.js), is the client's to fix; an owner that no longer
 * exists makes the initial access token worthless.
 */
function registrationRefused(err: unknown): unknown {
  if (err instanceof OwnerGone)
    return new InvalidToken("The initial access token's owner no longer exists", err.message);
  return err instanceof AppNameTaken
    ? new InvalidClientMetadata('client_name is already used by another client; choose another', err.message)
    : err;
}

/**
 * Clients registered over RFC 7591 and managed over RFC 7592: an EG app made
 * by ClientRegistrar (registeredVia "dynamic"), plus what ClientMetadataStore
 * keeps beside it.
 */
export class DynamicClients {
  constructor(
    private readonly registrar: ClientRegistrar,
    private readonly store: ClientMetadataStore,
    private readonly clientUri: (clientId: string) => string
  ) {}

  /**
   * @returns the client information response, with the secret (if any) and registration access token shown this once
   */
  async register(ownerId: string, metadata: ClientMetadata): Promise<Record<string, unknown>> {
    // EG names must be unique per owner: a client that gives none gets a name nobody else has.
    const name = metadata.clientName ?? `client ${randomSecret().slice(0, 8)}`;
    const made = await this.registrar.register(ownerId, toRegistration(metadata, name), 'dynamic').catch((err) => {
      throw registrationRefused(err);
    });
    const registrationAccessToken = randomSecret();
    const stored = { issuedAt: Math.floor(Date.now() / 1000), metadata: shownBack(metadata) };
    try {
      await this.store.save(made.client.clientId, registrationAccessToken, stored);
    } catch (err) {
      await this.registrar.remove(made.client.clientId); // no client its registrant cannot manage
      throw err;
    }
    const secret = usesSecret(metadata.authMethod) ? made.secret : undefined;
    return this.information({ client: made.client, stored }, registrationAccessToken, secret);
  }

  /** The registration, if the token is its registration access token and its app still exists. */
  async find(clientId: string, registrationAccessToken: string): Promise<DynamicClient | null> {
    const stored = await this.store.readWith(clientId, registrationAccessToken);
    const client = stored && (await this.registrar.find(clientId, 'dynamic'));
    return stored && client ? { client, stored } : null;
  }

  /**
   * Replaces the metadata (RFC 7592 §2.2). The secret is kept; a client
   * that moves to a secret-based method from one without a secret it knows
   * gets a new one, shown in the answer.
   * @param provenSecret the current secret, when the client sent it and it matched
   */
  async update(
    current: DynamicClient,
    metadata: ClientMetadata,
    registrationAccessToken: string,
    provenSecret?: string
  ): Promise<Record<string, unknown>> {
    const { clientId } = current.client;
    let client = await this.registrar
      .update(clientId, toRegistration(metadata, metadata.clientName ?? current.client.name))
      .catch((err) => {
        if (!(err instanceof SubjectsWouldChange)) throw err;
        throw new InvalidClientMetadata(
          'subject_type and sector_identifier_uri cannot change what this client is told of users: they are ' +
            'fixed at registration (register a new client for another sector)',
          err.message
        );
      });
    let secret = usesSecret(metadata.authMethod) ? provenSecret : undefined;
    if (usesSecret(metadata.authMethod) && !usesSecret(current.client.tokenEndpointAuthMethod)) {
      secret = await this.registrar.rotateSecret(clientId);
      client = (await this.registrar.find(clientId, 'dynamic')) ?? client;
    }
    const stored = { issuedAt: current.stored.issuedAt, metadata: shownBack(metadata) };
    await this.store.replaceMetadata(clientId, stored.metadata);
    return this.information({ client, stored }, registrationAccessToken, secret);
  }

  /** Deletes the app, its credential and tokens, then its registration access token (RFC 7592 §2.3). */
  /** @returns false when a concurrent request removed the client first. */
  async remove(clientId: string): Promise<boolean> {
    const removed = await this.registrar.remove(clientId);
    await this.store.remove(clientId);
    return removed;
  }

  /** How many clients an owner has registered dynamically (for the quota of access-token registrations). */
  async countOwnedBy(ownerId: string): Promise<number> {
    return (await this.registrar.ownedBy(ownerId, 'dynamic')).length;
  }

  information(found: DynamicClient, registrationAccessToken: string, secret?: string): Record<string, unknown> {
    return clientInformation({
      ...found,
      registrationAccessToken,
      registrationClientUri: this.clientUri(found.client.clientId),
      secret
    });
  }
}
