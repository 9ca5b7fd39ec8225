import type { EgApplication, EgServices } from '../eg/types';
import { asScopeList } from '../scopes';
import { randomSecret } from '../secret-value';
import { appGrantTypes, ClientAuthMethod } from './client';
import { USERINFO_SIGNED_RESPONSE_ALG } from '../oidc/signed-userinfo';
import { isPublicApp, registeredRedirectUris } from './client.repository';
import { SECTOR_IDENTIFIER_URI, SUBJECT_TYPE, subjectIdentity } from '../oidc/subjects';

/**
 * How an app came to be: registered by its user on the web pages, over RFC 7591, or made from a client ID metadata
 * document (draft-ietf-oauth-client-id-metadata-document).
 */
export type RegisteredVia = 'web' | 'dynamic' | 'document';

/** What a user or a client asks to register. */
export interface ClientRegistration {
  name: string;
  redirectUris: string[];
  isPublic: boolean;
  scopes: string[];
  grantTypes?: string[] | undefined;
  tokenEndpointAuthMethod?: ClientAuthMethod | undefined;
  jwks?: string | undefined;
  jwksUri?: string | undefined;
  /** The DYNAMIC_FLAGS a dynamic client registered true, by their app property names. */
  flags?: string[] | undefined;
  /** The OpenID Connect properties: given, they replace those the app has (with OpenID Connect on). */
  openId?: OpenIdAppProperties | undefined;
}

/** What an OpenID Connect client registers: logout (RP-Initiated Logout §3.1, Back-Channel Logout §2.2), subjects. */
export interface OpenIdAppProperties {
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired: boolean;
  /** Signed UserInfo answers (Core §5.3.2). */
  userinfoSignedResponseAlg?: string | undefined;
  /** Pairwise subjects (Core §8.1), of the sector this URI names when given. */
  subjectType?: 'pairwise' | undefined;
  sectorIdentifierUri?: string | undefined;
  /** Whether the app model declares the pairwise properties (oidc.pairwiseSecret set): an update then empties them. */
  pairwiseOffered?: boolean | undefined;
}

/** A registered app as its owner sees it (never the secret, which only registration and rotation return). */
export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  isPublic: boolean;
  scopes: string[];
  grantTypes: string[];
  tokenEndpointAuthMethod?: ClientAuthMethod | undefined;
  jwks?: string | undefined;
  jwksUri?: string | undefined;
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired: boolean;
  userinfoSignedResponseAlg?: string | undefined;
  /** The DYNAMIC_FLAGS the app has set, by their app property names. */
  flags: string[];
  ownerId: string;
  registeredVia?: RegisteredVia | undefined;
  createdAt?: string | undefined;
}

/**
 * EG refuses an app name its owner already uses, and (a flaw of EG 1.16's
 * name index) any name two other apps already share.
 */
export class AppNameTaken extends Error {
  constructor(readonly appName: string) {
    super(`The application name "${appName}" is already taken`);
  }
}

const NAME_CLASH = /already another application bound with|Multiple applications with/;
const NO_OWNER = /^Failed to insert application: User .* not found$/;

/**
 * The user meant to own a new app does not exist (any more): an admin-issued initial access token outlived its owner.
 */
export class OwnerGone extends Error {
  constructor(readonly ownerId: string) {
    super(`The user ${ownerId} who would own the application does not exist`);
  }
}

/**
 * An update would change the subjects an app is told (OpenID Connect Core §8): from pairwise to public, or to
 * another sector. Its users' subs would then be matched across sectors, or their ids revealed, by a client that kept
 * its tokens; the sector of a pairwise client is fixed at registration.
 */
export class SubjectsWouldChange extends Error {
  constructor() {
    super('The update would change the subject_type or the sector of the client');
  }
}

/** Revokes every grant of an app (TokenStore.revokeAllOf), so that a deleted app leaves no live token behind. */
export type RevokeAppTokens = (appId: string) => Promise<unknown>;

/**
 * Every application property ClientRegistrar writes: EG refuses an app holding one its model
 * (config/models/applications.json) lacks.
 */
export const REGISTRAR_APP_PROPERTIES = [
  'name',
  'registeredVia',
  'public',
  'redirectUri',
  'redirectUris',
  'grantTypes',
  'tokenEndpointAuthMethod',
  'jwks',
  'jwksUri'
] as const;

/**
 * Boolean client metadata of RFC 7591 registrations and the app property each sets to `"true"`: RFC 9449 §5.2
 * (DPoP-bound access tokens only), RFC 9126 §6 (pushed authorization requests only).
 */
export const DYNAMIC_FLAGS = {
  dpop_bound_access_tokens: 'dpopBoundAccessTokens',
  require_pushed_authorization_requests: 'requirePushedAuthorizationRequests'
} as const;

/** The application properties ClientRegistrar writes of a dynamically registered client (RFC 7591 metadata only). */
export const DYNAMIC_APP_PROPERTIES: readonly string[] = Object.values(DYNAMIC_FLAGS);

/** The application properties ClientRegistrar writes of an OpenID Connect client (with OpenID Connect on). */
export const OPENID_APP_PROPERTIES = [
  'postLogoutRedirectUris',
  'backchannelLogoutUri',
  'backchannelLogoutSessionRequired',
  USERINFO_SIGNED_RESPONSE_ALG
] as const;

/** The application properties ClientRegistrar writes of a pairwise client (with oidc.pairwiseSecret set). */
export const PAIRWISE_APP_PROPERTIES = [SUBJECT_TYPE, SECTOR_IDENTIFIER_URI] as const;

/** The EG application properties of a registration (EG keeps strings only; extra redirect URIs space separated). */
export function appProperties(registration: ClientRegistration, via: RegisteredVia): Record<string, string> {
  const [first, ...others] = registration.redirectUris;
  const props: Record<string, string> = {
    name: registration.name,
    registeredVia: via,
    public: String(registration.isPublic)
  };
  if (first) props.redirectUri = first;
  if (others.length) props.redirectUris = others.join(' ');
  if (registration.grantTypes?.length) props.grantTypes = registration.grantTypes.join(' ');
  if (registration.tokenEndpointAuthMethod) props.tokenEndpointAuthMethod = registration.tokenEndpointAuthMethod;
  if (registration.jwks) props.jwks = registration.jwks;
  if (registration.jwksUri) props.jwksUri = registration.jwksUri;
  for (const flag of registration.flags ?? []) props[flag] = 'true';
  const openId = registration.openId;
  if (openId?.postLogoutRedirectUris.length) props.postLogoutRedirectUris = openId.postLogoutRedirectUris.join(' ');
  if (openId?.backchannelLogoutUri) props.backchannelLogoutUri = openId.backchannelLogoutUri;
  if (openId?.backchannelLogoutSessionRequired) props.backchannelLogoutSessionRequired = 'true';
  if (openId?.userinfoSignedResponseAlg) props[USERINFO_SIGNED_RESPONSE_ALG] = openId.userinfoSignedResponseAlg;
  if (openId?.subjectType) props[SUBJECT_TYPE] = openId.subjectType;
  if (openId?.sectorIdentifierUri) props[SECTOR_IDENTIFIER_URI] = openId.sectorIdentifierUri;
  return props;
}

/**
 * Self-service apps: each is a real EG application owned by an EG user, with
 * an `oauth2` credential whose secret EG stores as a bcrypt hash. The secret
 * is generated here and returned once; nothing keeps it in clear.
 */
export class ClientRegistrar {
  constructor(
    private readonly services: EgServices,
    private readonly revokeAppTokens: RevokeAppTokens
  ) {}

  /**
   * Creates the app and its credential.
   * @returns the app and, for a confidential client, its only copy of the secret.
   * @throws AppNameTaken when EG refuses the name.
   */
  async register(
    ownerId: string,
    registration: ClientRegistration,
    via: RegisteredVia
  ): Promise<{ client: RegisteredClient; secret?: string }> {
    const app = await this.services.application
      .insert(appProperties(registration, via), ownerId)
      .catch((err: Error) => {
        if (NAME_CLASH.test(err?.message ?? '')) throw new AppNameTaken(registration.name);
        throw NO_OWNER.test(err?.message ?? '') ? new OwnerGone(ownerId) : err;
      });
    const secret = randomSecret();
    try {
      await this.services.credential.insertCredential(app.id, 'oauth2', { secret, scopes: registration.scopes });
    } catch (err) {
      await this.services.application.remove(app.id); // no app without a credential left behind
      throw err;
    }
    const client = await this.describe(app);
    return registration.isPublic ? { client } : { client, secret };
  }

  /** The app, if it exists and was registered by `via` (apps an operator made are not self-service). */
  async find(clientId: string, via: RegisteredVia): Promise<RegisteredClient | null> {
    if (typeof clientId !== 'string' || !clientId || clientId.length > 200) return null;
    const app = await this.services.application.get(clientId);
    return app && app.registeredVia === via ? this.describe(app) : null;
  }

  /** The apps a user registered through `via`, oldest first. */
  async ownedBy(userId: string, via: RegisteredVia): Promise<RegisteredClient[]> {
    const apps = (await this.services.application.getAll(userId)).filter((app) => app.registeredVia === via);
    // EG writes createdAt as Date#toString() ("Wed Nov 25 2026 ..."): compare it as a date, not as text.
    const time = (app: EgApplication) => Date.parse(String(app.createdAt)) || 0;
    apps.sort((a, b) => time(a) - time(b));
    return Promise.all(apps.map((app) => this.describe(app)));
  }

  /**
   * Replaces the app's metadata and scopes (RFC 7592 §2.2), keeping its id and secret.
   * @throws SubjectsWouldChange when the update would change what the app is told of users.
   */
  async update(clientId: string, registration: ClientRegistration): Promise<RegisteredClient> {
    const app = await this.services.application.get(clientId);
    if (!app) throw new Error(`no app ${clientId}`);
    const props = appProperties(registration, app.registeredVia as RegisteredVia);
    // Properties the new registration leaves out must go too; EG's update cannot delete, so they are emptied.
    const replaced = [
      ...REGISTRAR_APP_PROPERTIES,
      ...(app.registeredVia === 'dynamic' ? DYNAMIC_APP_PROPERTIES : []),
      ...(registration.openId ? OPENID_APP_PROPERTIES : []),
      ...(registration.openId?.pairwiseOffered ? PAIRWISE_APP_PROPERTIES : [])
    ];
    for (const name of replaced) props[name] ??= '';
    if (subjectIdentity(app) !== subjectIdentity({ ...app, ...props })) throw new SubjectsWouldChange();
    delete props.registeredVia;
    await this.services.application.update(clientId, props);
    await this.setScopes(clientId, registration.scopes);
    return this.describe((await this.services.application.get(clientId)) as EgApplication);
  }

  /**
   * Changes the credential's scopes in place: making it again would change the secret, which update promises to keep.
   */
  private async setScopes(clientId: string, scopes: string[]): Promise<void> {
    const held = asScopeList((await this.services.credential.getCredential(clientId, 'oauth2'))?.scopes);
    const added = scopes.filter((scope) => !held.includes(scope));
    const dropped = held.filter((scope) => !scopes.includes(scope));
    if (added.length) await this.services.credential.addScopesToCredential(clientId, 'oauth2', added);
    if (dropped.length) await this.services.credential.removeScopesFromCredential(clientId, 'oauth2', dropped);
  }

  /** A new secret for a confidential app; the old one stops working at once. @returns the new secret, shown once. */
  async rotateSecret(clientId: string): Promise<string> {
    const credential = await this.services.credential.getCredential(clientId, 'oauth2');
    return this.replaceCredential(clientId, credential?.scopes ?? []);
  }

  /** Deletes the app, its credential and every token issued to it. */
  /**
   * Removes a client, its credential and every token issued to it. @returns false when a concurrent request removed
   * the app first (EG answers that with an error); its tokens are revoked all the same.
   */
  async remove(clientId: string): Promise<boolean> {
    await this.services.credential.removeCredential(clientId, 'oauth2');
    const removed = await this.services.application.remove(clientId).then(
      () => true,
      (err: Error) => {
        if (/^app not found/.test(err.message)) return false;
        throw err;
      }
    );
    await this.revokeAppTokens(clientId);
    return removed;
  }

  /** EG cannot change a credential's secret or scopes in place: the credential is made again. */
  private async replaceCredential(clientId: string, scopes: string[]): Promise<string> {
    const secret = randomSecret();
    await this.services.credential.removeCredential(clientId, 'oauth2');
    await this.services.credential.insertCredential(clientId, 'oauth2', { secret, scopes });
    return secret;
  }

  private async describe(app: EgApplication): Promise<RegisteredClient> {
    const credential = await this.services.credential.getCredential(app.id, 'oauth2');
    const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
    return {
      clientId: app.id,
      name: app.name,
      redirectUris: registeredRedirectUris(app),
      isPublic: isPublicApp(app),
      scopes: asScopeList(credential?.scopes),
      grantTypes: appGrantTypes(app) ?? [],
      tokenEndpointAuthMethod: text(app.tokenEndpointAuthMethod) as ClientAuthMethod | undefined,
      jwks: text(app.jwks),
      jwksUri: text(app.jwksUri),
      postLogoutRedirectUris: text(app.postLogoutRedirectUris)?.split(' ').filter(Boolean) ?? [],
      backchannelLogoutUri: text(app.backchannelLogoutUri),
      backchannelLogoutSessionRequired: app.backchannelLogoutSessionRequired === 'true',
      userinfoSignedResponseAlg: text(app[USERINFO_SIGNED_RESPONSE_ALG]),
      flags: DYNAMIC_APP_PROPERTIES.filter((name) => app[name] === 'true'),
      ownerId: app.userId,
      registeredVia: text(app.registeredVia) as RegisteredVia | undefined,
      createdAt: text(app.createdAt)
    };
  }
}
