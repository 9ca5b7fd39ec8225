import { rsaKeyPair } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';
import type { GatewayOptions } from '../../support/gateway';

/** One RSA key for the whole run: RS256 signs ID tokens (OpenID Connect Core §15.1). */
export const ID_TOKEN_KEY = rsaKeyPair();

/** Settings of an OpenID Provider: oidc on, an RS256 key, consent not remembered unless `settings` says so. */
export function oidcSettings(settings: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    keys: [{ kid: 'oidc-rs256', alg: 'RS256', key: ID_TOKEN_KEY.privatePem }],
    consent: { remember: false },
    ...settings,
    oidc: { enabled: true, ...(settings.oidc as object | undefined) }
  };
}

/** A world (gateway, echo backend, seeded user and app) whose gateway is an OpenID Provider. */
export function startOidcWorld(options: GatewayOptions & { settings?: Record<string, unknown> } = {}): Promise<World> {
  return startWorld({ ...options, settings: oidcSettings(options.settings) });
}
