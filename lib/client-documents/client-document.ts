import { DEVICE_CODE } from '../../schemas/settings.schema';
import { InvalidClientMetadata } from '../errors';
import { ClientMetadata, parseClientMetadata, RegistrationPolicy } from '../registration/client-metadata';
import { NOT_OFFERED_FIELDS } from '../registration/openid-client-metadata';

/**
 * The grants a client anyone on the internet can name may use: those a user takes part in (consent), never one
 * that issues tokens to the client alone (client_credentials, a self-signed jwt-bearer assertion).
 */
const DOCUMENT_GRANTS = ['authorization_code', 'refresh_token', DEVICE_CODE];

/** What a client identified by a metadata document may authenticate with: nothing, or its published keys. */
const DOCUMENT_AUTH_METHODS = ['none', 'private_key_jwt'];

/** Fields a document must not hold (draft-ietf-oauth-client-id-metadata-document §4.1): there is no shared secret. */
const SECRET_FIELDS = ['client_secret', 'client_secret_expires_at'];

/**
 * Reads a client ID metadata document fetched from `clientId` (§4): a JSON object
 * whose `client_id` is that URL, by simple string comparison, holding RFC 7591
 * client metadata with no shared secret: `token_endpoint_auth_method` is `none`
 * (also when absent, unlike RFC 7591's default) or `private_key_jwt` with the
 * keys in `jwks` or `jwks_uri`. Its `scope` is left out: what such a client may
 * be granted is the operator's (clientIdMetadataDocuments.scopes), and one
 * document serves many servers.
 * @throws InvalidClientMetadata or InvalidRedirectUri saying what is wrong.
 */
export function readClientDocument(clientId: string, text: string, policy: RegistrationPolicy): ClientMetadata {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new InvalidClientMetadata('the document is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new InvalidClientMetadata('the document is not a JSON object');
  const { client_id: named, scope: _scope, ...fields } = document as Record<string, unknown>;
  // OpenID Connect metadata this server does not honour: one document serves many servers, so it is left out.
  for (const field of NOT_OFFERED_FIELDS) delete fields[field];
  if (named !== clientId) throw new InvalidClientMetadata('the client_id of the document is not the URL it came from');
  const secret = SECRET_FIELDS.find((field) => field in fields);
  if (secret) throw new InvalidClientMetadata(`the document holds ${secret}: a public document shares no secret`);
  const method = fields.token_endpoint_auth_method ?? 'none';
  if (typeof method !== 'string' || !DOCUMENT_AUTH_METHODS.includes(method)) {
    throw new InvalidClientMetadata(
      `token_endpoint_auth_method must be none or private_key_jwt in a metadata document, not ${JSON.stringify(method)}`
    );
  }
  return parseClientMetadata(
    { ...fields, ...usableFlows(fields, policy.grants), token_endpoint_auth_method: method },
    policy
  );
}

/** The grant type each response type belongs to (RFC 7591 §2.1). */
const GRANT_OF_RESPONSE: Record<string, string> = { code: 'authorization_code', token: 'implicit' };

/**
 * The document's grant and response types this server offers such a client (DOCUMENT_GRANTS it has on): one
 * document serves many servers, so any other is left out rather than refused, with the response type that goes
 * with it. Nothing usable left is refused, naming the field.
 */
function usableFlows(fields: Record<string, unknown>, enabled: readonly string[]) {
  const offered = (grant: unknown) =>
    typeof grant === 'string' && enabled.includes(grant) && DOCUMENT_GRANTS.includes(grant);
  const flows: Record<string, unknown> = {};
  if (Array.isArray(fields.grant_types)) {
    flows.grant_types = fields.grant_types.filter(offered);
    if ((flows.grant_types as unknown[]).length === 0)
      throw new InvalidClientMetadata('grant_types names no grant type this server offers such a client');
  }
  if (Array.isArray(fields.response_types)) {
    const responses = fields.response_types.filter(
      (type) => typeof type === 'string' && Object.hasOwn(GRANT_OF_RESPONSE, type) && offered(GRANT_OF_RESPONSE[type])
    );
    // None left: they follow from grant_types, or nothing is usable.
    if (responses.length > 0) flows.response_types = responses;
    else if (!flows.grant_types)
      throw new InvalidClientMetadata('response_types names no response type this server offers such a client');
    else flows.response_types = undefined;
  }
  return flows;
}
