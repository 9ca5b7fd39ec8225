import { ClientUrlRules, clientUrlProblem } from '../client-urls/client-url-rule';
import { InvalidClientMetadata } from '../errors';
import { USERINFO_SIGNING_ALG } from '../oidc/signed-userinfo';
import { subjectTypesOffered, webHost } from '../oidc/subjects';
import { redirectUriProblem } from './redirect-uri-rule';

/** The OpenID Connect part of a registration, as app properties hold it. */
export interface OpenIdClientMetadata {
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired: boolean;
  /** RS256: UserInfo answers the client with a signed JWT (Core §5.3.2). */
  userinfoSignedResponseAlg?: string | undefined;
  /** pairwise: the client is told a sub of its sector (Core §8.1); public is told the user's id and stores nothing. */
  subjectType?: 'pairwise' | undefined;
  /** Names the client's sector (Core §8.1); fetched and checked by checkSectorIdentifier before the client is made. */
  sectorIdentifierUri?: string | undefined;
  /** Whether this server gives pairwise subjects, and so writes (and on update, empties) their app properties. */
  pairwiseOffered: boolean;
  /** Fields only shown back, by their registration names, with the values this server chose. */
  about: Record<string, unknown>;
}

/** The one way this server signs ID tokens (Core §15.1). */
const ID_TOKEN_ALG = 'RS256';
const APPLICATION_TYPES = ['web', 'native'];

/**
 * What a client could ask for that this server does not do, and why: were they
 * ignored, as RFC 7591 §2 lets a server ignore fields it does not know, the
 * client would trust a promise nobody made (an encrypted answer, a pairwise
 * subject, a forced sign-in after default_max_age).
 */
const NOT_OFFERED: Readonly<Record<string, string>> = {
  default_max_age: 'is not supported: send max_age with each authorization request',
  userinfo_encrypted_response_alg: 'is not supported: nothing is encrypted',
  id_token_encrypted_response_alg: 'is not supported: ID tokens are signed, not encrypted',
  id_token_encrypted_response_enc: 'is not supported: ID tokens are signed, not encrypted',
  userinfo_encrypted_response_enc: 'is not supported: nothing is encrypted',
  request_object_signing_alg:
    'is not registrable: request objects are taken signed with any of request_object_signing_alg_values_supported',
  request_object_encryption_alg: 'is not supported: request objects are signed, not encrypted',
  default_acr_values: 'is not supported: this server asserts no authentication context class',
  frontchannel_logout_uri: 'is not supported: logout reaches clients by the back channel (backchannel_logout_uri)'
};

/** The OpenID Connect client metadata this server does not honour (refused at registration). */
export const NOT_OFFERED_FIELDS = Object.keys(NOT_OFFERED);

function chosen(field: string, value: unknown, offered: readonly string[]): string {
  if (value === undefined) return offered[0]!;
  if (!offered.includes(value as string)) {
    throw new InvalidClientMetadata(`${field}: "${value as string}" is not supported (${offered.join(', ')})`);
  }
  return value as string;
}

function checkPostLogoutRedirectUris(value: unknown): string[] {
  const uris = (value ?? []) as unknown[];
  uris.forEach((uri, index) => {
    const problem = typeof uri === 'string' && uri ? redirectUriProblem(uri) : 'must be a non-empty string';
    if (problem) throw new InvalidClientMetadata(`post_logout_redirect_uris[${index}] ${problem}`);
  });
  return [...new Set(uris as string[])];
}

/** Back-Channel Logout 1.0 §2.2: absolute, no fragment; and the gateway must be willing to POST to it (clientUrls). */
function checkBackchannelLogoutUri(uri: string | undefined, urls: ClientUrlRules): string | undefined {
  if (uri === undefined) return undefined;
  if (uri.includes('#')) throw new InvalidClientMetadata('backchannel_logout_uri must not have a fragment (#)');
  const problem = clientUrlProblem(uri, urls);
  if (problem) throw new InvalidClientMetadata(`backchannel_logout_uri ${problem}`);
  return uri;
}

/**
 * Core §8.1 and Registration 1.0 §2: a sector identifier URI is https (here: a URL the gateway may fetch) and only
 * means something to a pairwise client; without one, a pairwise client's redirect URIs must share one host, its
 * sector. Its content is checked by checkSectorIdentifier.
 */
function checkSector(pairwise: boolean, uri: string | undefined, redirectUris: string[], urls: ClientUrlRules) {
  if (uri !== undefined) {
    if (!pairwise) throw new InvalidClientMetadata('sector_identifier_uri is used only with subject_type pairwise');
    // Registration §5: the document vouches for the client's redirect URIs; with none, it would vouch for nothing.
    if (redirectUris.length === 0)
      throw new InvalidClientMetadata('sector_identifier_uri needs redirect_uris for it to list');
    if (uri.includes('#')) throw new InvalidClientMetadata('sector_identifier_uri must not have a fragment (#)');
    const problem = clientUrlProblem(uri, urls);
    if (problem) throw new InvalidClientMetadata(`sector_identifier_uri ${problem}`);
    return;
  }
  const webHosts = new Set(redirectUris.map(webHost).filter((host) => host !== null));
  if (pairwise && webHosts.size > 1) {
    throw new InvalidClientMetadata(
      'A pairwise client whose redirect_uris are on several hosts needs a sector_identifier_uri (OpenID Connect Core §8.1)'
    );
  }
}

/** The grants that reach the client through its redirect URIs, whose host it thereby shows it answers for. */
const THROUGH_REDIRECT_URIS: readonly string[] = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials'
];

/**
 * A pairwise client's sector is the host its redirect URIs (or its sector document) name, which only the grants
 * that send the user's answer there prove it answers for: with a device code or an assertion it could name any
 * relying party's host and be told that party's subs (Core §8.1). client_credentials tells it of no user.
 */
function checkPairwiseGrants(grantTypes: readonly string[]): void {
  const other = grantTypes.find((grant) => !THROUGH_REDIRECT_URIS.includes(grant));
  if (other !== undefined) {
    throw new InvalidClientMetadata(
      `subject_type pairwise cannot be registered with the grant ${other}, which does not go through the redirect_uris ` +
        'that name its sector'
    );
  }
}

/**
 * Reads the OpenID Connect client metadata of a registration (Dynamic Client
 * Registration 1.0 §2, RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0
 * §2.2), the shape already checked by the schema.
 * @throws InvalidClientMetadata naming the field
 */
export function parseOpenIdClientMetadata(
  fields: Record<string, unknown>,
  {
    urls,
    pairwiseSecret,
    redirectUris,
    grantTypes
  }: { urls: ClientUrlRules; pairwiseSecret: string | undefined; redirectUris: string[]; grantTypes: string[] }
): OpenIdClientMetadata {
  const pairwiseOffered = pairwiseSecret !== undefined;
  const notOffered = pairwiseOffered
    ? NOT_OFFERED
    : { ...NOT_OFFERED, sector_identifier_uri: 'is used for pairwise subjects, which this server does not give' };
  for (const [field, why] of Object.entries(notOffered))
    if (fields[field] !== undefined) throw new InvalidClientMetadata(`${field} ${why}`);
  const backchannelLogoutUri = checkBackchannelLogoutUri(fields.backchannel_logout_uri as string | undefined, urls);
  const sessionRequired = fields.backchannel_logout_session_required === true;
  const signedUserInfo = fields.userinfo_signed_response_alg;
  const subjectType = chosen('subject_type', fields.subject_type, subjectTypesOffered(pairwiseSecret));
  const sectorIdentifierUri = fields.sector_identifier_uri as string | undefined;
  checkSector(subjectType === 'pairwise', sectorIdentifierUri, redirectUris, urls);
  if (subjectType === 'pairwise') checkPairwiseGrants(grantTypes);
  return {
    userinfoSignedResponseAlg:
      signedUserInfo === undefined
        ? undefined
        : chosen('userinfo_signed_response_alg', signedUserInfo, [USERINFO_SIGNING_ALG]),
    postLogoutRedirectUris: checkPostLogoutRedirectUris(fields.post_logout_redirect_uris),
    backchannelLogoutUri,
    backchannelLogoutSessionRequired: sessionRequired,
    subjectType: subjectType === 'pairwise' ? 'pairwise' : undefined,
    sectorIdentifierUri,
    pairwiseOffered,
    about: {
      id_token_signed_response_alg: chosen('id_token_signed_response_alg', fields.id_token_signed_response_alg, [
        ID_TOKEN_ALG
      ]),
      subject_type: subjectType,
      ...(sectorIdentifierUri === undefined ? {} : { sector_identifier_uri: sectorIdentifierUri }),
      application_type: chosen('application_type', fields.application_type, APPLICATION_TYPES),
      ...(fields.require_auth_time === undefined ? {} : { require_auth_time: fields.require_auth_time })
    }
  };
}
