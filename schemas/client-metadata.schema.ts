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
    software_id: text(200, 'Identifies the client software across its instances.'),
    software_version: text(200, 'The version of that software.')
  }
} as const;
