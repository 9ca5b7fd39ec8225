import { rsaKeyPair } from '../helpers/keys';
import { Browser } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
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

/** A browser signed in through the code flow with scope openid, and the ID token its relying party got. */
export async function signInWithIdToken(world: World): Promise<{ browser: Browser; idToken: string }> {
  const browser = new Browser(world.gateway.url);
  const callback = await decide(browser, await authorize(browser, world, codeParams(world, { scope: 'openid' })), true);
  const res = await world.token({
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code')!,
    redirect_uri: REDIRECT_URI,
    code_verifier: TEST_PKCE.verifier
  });
  return { browser, idToken: res.json.id_token };
}
