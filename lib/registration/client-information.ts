import { DEFAULT_AUTH_METHOD } from '../../schemas/client-metadata.schema';
import type { ClientAuthMethod } from '../clients/client';
import { DYNAMIC_FLAGS, type RegisteredClient } from '../clients/client-registrar';
import type { StoredRegistration } from '../store/client-metadata.store';

/** The methods that authenticate with the client secret: only their clients are given one. */
export function usesSecret(method: ClientAuthMethod | undefined): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post';
}

/** What the client information response is made of. */
export interface InformationParts {
  client: RegisteredClient;
  stored: StoredRegistration;
  registrationAccessToken: string;
  registrationClientUri: string;
  /** Only when it was just issued (or proven by the client): EG keeps nothing but a bcrypt hash. */
  secret?: string | undefined;
}

function parsedJwks(jwks: string | undefined): unknown {
  if (!jwks) return undefined;
  try {
    return JSON.parse(jwks);
  } catch {
    return undefined;
  }
}

/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): every
 * registered field, with the values the server chose for those the client
 * left out. The registration access token is the one the client holds (the
 * server keeps only its digest).
 */
export function clientInformation({
  client,
  stored,
  registrationAccessToken,
  registrationClientUri,
  secret
}: InformationParts): Record<string, unknown> {
  const method = client.tokenEndpointAuthMethod ?? DEFAULT_AUTH_METHOD;
  const answer: Record<string, unknown> = {
    client_id: client.clientId,
    client_secret: secret,
    client_id_issued_at: stored.issuedAt,
    client_secret_expires_at: usesSecret(method) ? 0 : undefined,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    token_endpoint_auth_method: method,
    scope: client.scopes.length ? client.scopes.join(' ') : undefined,
    jwks: parsedJwks(client.jwks),
    jwks_uri: client.jwksUri,
    post_logout_redirect_uris: client.postLogoutRedirectUris.length ? client.postLogoutRedirectUris : undefined,
    backchannel_logout_uri: client.backchannelLogoutUri,
    userinfo_signed_response_alg: client.userinfoSignedResponseAlg,
    backchannel_logout_session_required: client.backchannelLogoutUri
      ? client.backchannelLogoutSessionRequired
      : undefined,
    ...Object.fromEntries(
      Object.entries(DYNAMIC_FLAGS).flatMap(([field, property]) =>
        client.flags.includes(property) ? [[field, true]] : []
      )
    ),
    ...stored.metadata,
    registration_access_token: registrationAccessToken,
    registration_client_uri: registrationClientUri
  };
  return Object.fromEntries(Object.entries(answer).filter(([, value]) => value !== undefined));
}
