/**
 * The shape of the client metadata this server understands (RFC 7591 §2),
 * as sent to the registration endpoint. Types and sizes only: what a value
 * means (redirect URI rules, grant and response type consistency, the keys
 * an auth method needs) is checked in lib/registration. Other fields are
 * ignored, as RFC 7591 §2 asks, so the root stays open.
 */
const text = (maxLength: number, description: string) =>
  ({ type: 'string', minLength: 1, maxLength, description }) as const;
const words = (maxItems: number, description: string) =>
  ({
    type: 'array',
    maxItems,
    items: { type: 'string', minLength: 1, maxLength: 200 },
    description
  }) as const;

/** RFC 7591 §2: a client that names no token_endpoint_auth_method uses this. */
export const DEFAULT_AUTH_METHOD = 'client_secret_basic';

export const clientMetadataSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/client-metadata.json',
  type: 'object',
  properties: {
    redirect_uris: {
      type: 'array',
      maxItems: 20,
      description: 'Exact redirect URIs (each checked in lib/registration/redirect-uris.ts).'
    },
    grant_types: words(
      10,
      'Grant types the client will use; default ["authorization_code"] (or what response_types implies).'
    ),
    response_types: words(
      2,
      'Response types the client will use; default: what grant_types implies (["code"] for the code flow).'
    ),
    token_endpoint_auth_method: text(
      40,
      `none, ${DEFAULT_AUTH_METHOD} (default), client_secret_post or private_key_jwt.`
    ),
    client_name: text(200, 'Shown to users on the consent page.'),
    scope: text(2000, 'Space-separated scopes, each one of dynamicRegistration.allowedScopes.'),
    jwks: { type: 'object', description: "The client's public keys as a JWK Set." },
    jwks_uri: text(
      2000,
      'Where the client publishes its JWK Set: https, on a public address (see settings clientUrls).'
    ),
    client_uri: text(2000, "The client's home page."),
    logo_uri: text(2000, "The client's logo."),
    tos_uri: text(2000, "The client's terms of service."),
    policy_uri: text(2000, "The client's privacy policy."),
    contacts: {
      type: 'array',
      maxItems: 10,
      items: { type: 'string', minLength: 1, maxLength: 320 },
      description: 'People responsible for the client.'
    },
    post_logout_redirect_uris: {
      type: 'array',
      maxItems: 20,
      description: 'OpenID Connect RP-Initiated Logout 1.0 §3.1: where the end-session page may send the user back.'
    },
    backchannel_logout_uri: text(2000, 'OpenID Connect Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed.'),
    backchannel_logout_session_required: {
      type: 'boolean',
      description: 'Back-Channel Logout 1.0 §2.2: the client needs a sid in every logout token.'
    },
    id_token_signed_response_alg: text(20, 'OpenID Connect Registration 1.0 §2: RS256, the only one offered.'),
    subject_type: text(20, 'OpenID Connect Registration 1.0 §2: public, or pairwise with oidc.pairwiseSecret.'),
    sector_identifier_uri: text(
      2000,
      "A pairwise client's sector (Core §8.1): a JSON array listing its redirect_uris."
    ),
    application_type: text(20, 'OpenID Connect Registration 1.0 §2: web (default) or native.'),
    require_auth_time: { type: 'boolean', description: 'ID tokens of a sign-in always carry auth_time.' },
    default_max_age: { type: 'integer', description: 'Not offered (refused): send max_age with each request.' },
    userinfo_signed_response_alg: text(20, 'OpenID Connect Registration 1.0 §2: RS256 for signed UserInfo answers.'),
    userinfo_encrypted_response_alg: text(40, 'Not offered (refused).'),
    id_token_encrypted_response_alg: text(40, 'Not offered (refused).'),
    dpop_bound_access_tokens: {
      type: 'boolean',
      description: 'RFC 9449 §5.2: true, the client gets DPoP-bound access tokens only.'
    },
    require_pushed_authorization_requests: {
      type: 'boolean',
      description: 'RFC 9126 §6: true, the authorization endpoint takes only pushed requests of the client.'
    },
    software_id: text(200, 'Identifies the client software across its instances.'),
    software_version: text(200, 'The version of that software.')
  }
} as const;
