import type { FapiClient } from './demo-fapi';

/**
 * demo.json: everything a sample client in examples/ needs to talk to the
 * running demo. examples/lib/demo.mjs reads it.
 */
export interface DemoJson {
  /** The issuer identifier, also the gateway's base URL (metadata at /.well-known/oauth-authorization-server). */
  gateway: string;
  /** EG's admin API. */
  admin: string;
  /** A confidential app with an oauth2 credential. */
  client: { id: string; secret: string; scopes: string[] };
  /** A public app (`public: "true"`): no secret, code flow with PKCE, refresh, device grant. */
  publicClient: { id: string; scopes: string[] };
  /** The resource owner, who signs in on the gateway's pages. */
  user: { username: string; password: string };
  /** The redirect URI registered on `client` for the samples' web apps (loopback, RFC 8252 §7.3). */
  examplesRedirectUri: string;
  /** Where the OpenID Connect sample sends the user after signing out: a post-logout redirect URI of the client. */
  examplesPostLogoutRedirectUri: string;
  /** The JWT bearer assertion issuer the gateway trusts, and its private key. */
  jwtIssuer: { issuer: string; kid: string; alg: string; privateKeyFile: string };
  /** The SAML identity provider the gateway trusts, and its private key. */
  samlIdp: { entityId: string; privateKeyFile: string };
  /** `fapi2` when started with DEMO_PROFILE=fapi2: the FAPI 2.0 Security Profile's rules hold. */
  profile?: 'fapi2';
  /** With DEMO_PROFILE=fapi2: a client authenticating with private_key_jwt (examples/fapi2.mjs). */
  fapiClient?: FapiClient;
}
