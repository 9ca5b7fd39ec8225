import { ClientUrlRules, clientUrlProblem } from '../client-urls/client-url-rule';
import { InvalidClientMetadata } from '../errors';
import { USERINFO_SIGNING_ALG } from '../oidc/signed-userinfo';
import { redirectUriProblem } from './redirect-uri-rule';

/** The OpenID Connect part of a registration, as app properties hold it. */
export interface OpenIdClientMetadata {
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired: boolean;
  /** RS256: UserInfo answers the client with a signed JWT (Core §5.3.2). */
  userinfoSignedResponseAlg?: string | undefined;
  /** Fields only shown back, by their registration names, with the values this server chose. */
  about: Record<string, unknown>;
}

/** The one way this server signs ID tokens (Core §15.1) and the one kind of subject it gives (Core §8). */
const ID_TOKEN_ALG = 'RS256';
const SUBJECT_TYPE = 'public';
const APPLICATION_TYPES = ['web', 'native'];

/**
 * What a client could ask for that this server does not do, and why: were they
 * ignored, as RFC 7591 §2 lets a server ignore fields it does not know, the
 * client would trust a promise nobody made (an encrypted answer, a pairwise
 * subject, a forced sign-in after default_max_age).
 */
const NOT_OFFERED: Readonly<Record<string, string>> = {
  sector_identifier_uri: 'is used for pairwise subjects, which this server does not give (subject_types_supported)',
  default_max_age: 'is not supported: send max_age with each authorization request',
  userinfo_encrypted_response_alg: 'is not supported: nothing is encrypted',
  id_token_encrypted_response_alg: 'is not supported: ID tokens are signed, not encrypted',
  id_token_encrypted_response_enc: 'is not supported: ID tokens are signed, not encrypted',
  userinfo_encrypted_response_enc: 'is not supported: nothing is encrypted',
  request_object_signing_alg: 'is not supported: request objects are not (request_parameter_supported false)',
  request_object_encryption_alg: 'is not supported: request objects are not',
  default_acr_values: 'is not supported: this server asserts no authentication context class',
  frontchannel_logout_uri: 'is not supported: logout reaches clients by the back channel (backchannel_logout_uri)'
};

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
 * Reads the OpenID Connect client metadata of a registration (Dynamic Client
 * Registration 1.0 §2, RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0
 * §2.2), the shape already checked by the schema.
 * @throws InvalidClientMetadata naming the field
 */
export function parseOpenIdClientMetadata(fields: Record<string, unknown>, urls: ClientUrlRules): OpenIdClientMetadata {
  for (const [field, why] of Object.entries(NOT_OFFERED))
    if (fields[field] !== undefined) throw new InvalidClientMetadata(`${field} ${why}`);
  const backchannelLogoutUri = checkBackchannelLogoutUri(fields.backchannel_logout_uri as string | undefined, urls);
  const sessionRequired = fields.backchannel_logout_session_required === true;
  const signedUserInfo = fields.userinfo_signed_response_alg;
  return {
    userinfoSignedResponseAlg:
      signedUserInfo === undefined
        ? undefined
        : chosen('userinfo_signed_response_alg', signedUserInfo, [USERINFO_SIGNING_ALG]),
    postLogoutRedirectUris: checkPostLogoutRedirectUris(fields.post_logout_redirect_uris),
    backchannelLogoutUri,
    backchannelLogoutSessionRequired: sessionRequired,
    about: {
      id_token_signed_response_alg: chosen('id_token_signed_response_alg', fields.id_token_signed_response_alg, [
        ID_TOKEN_ALG
      ]),
      subject_type: chosen('subject_type', fields.subject_type, [SUBJECT_TYPE]),
      application_type: chosen('application_type', fields.application_type, APPLICATION_TYPES),
      ...(fields.require_auth_time === undefined ? {} : { require_auth_time: fields.require_auth_time })
    }
  };
}
