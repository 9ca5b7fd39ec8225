import { expect } from 'chai';
import { Browser, hiddenField, pkcePair, signInForm } from '../../support/browser';
import type { Reply } from '../../support/http';
import type { World } from './world';

export const REDIRECT_URI = 'http://127.0.0.1:8000/callback';

export function authorizeUrl(params: Record<string, string>): string {
  return `/oauth2/authorize?${new URLSearchParams(params)}`;
}

/** Signs in through the login form, starting from a redirect to it. */
export async function signIn(
  browser: Browser,
  world: World,
  loginRedirect: Reply,
  password = world.user.password
): Promise<Reply> {
  expect(loginRedirect.status, loginRedirect.text).to.equal(302);
  const page = await browser.get(loginRedirect.headers.get('location')!);
  expect(page.status).to.equal(200);
  return browser.post('/oauth2/login', signInForm(page, world.user.username, password));
}

/** From an authorize URL to the consent page (or wherever the gateway stops), signing in on the way. */
export async function authorize(browser: Browser, world: World, params: Record<string, string>): Promise<Reply> {
  const first = await browser.get(authorizeUrl(params));
  if (first.status === 302 && new URL(first.headers.get('location')!, world.gateway.url).pathname === '/oauth2/login') {
    const signedIn = await signIn(browser, world, first);
    return browser.follow(signedIn);
  }
  return first;
}

/** Answers the consent page; returns the URL the browser is sent to. */
export async function decide(browser: Browser, consent: Reply, allow: boolean): Promise<URL> {
  expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
  const form: Record<string, string> = {
    _csrf: hiddenField(consent.text, '_csrf'),
    transaction_id: hiddenField(consent.text, 'transaction_id')
  };
  if (allow) form.allow = 'Allow';
  else form.cancel = 'Deny';
  const res = await browser.post('/oauth2/authorize/decision', form);
  expect(res.status, res.text.slice(0, 500)).to.equal(302);
  return new URL(res.headers.get('location')!);
}

/**
 * The PKCE pair codeParams sends by default (pkce.require defaults to
 * `required`): exchanges of those codes send TEST_PKCE.verifier.
 */
export const TEST_PKCE = pkcePair();

/**
 * An authorization request of the world's app, with S256 PKCE unless `extra` names its own (an empty value leaves it
 * out).
 */
export function codeParams(world: World, extra: Record<string, string> = {}): Record<string, string> {
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: world.app.id,
    redirect_uri: REDIRECT_URI,
    state: 'st-123',
    code_challenge: TEST_PKCE.challenge,
    code_challenge_method: 'S256',
    ...extra
  };
  for (const [name, value] of Object.entries(params))
    if (value === '' && name.startsWith('code_challenge')) delete params[name];
  return params;
}
