import { Browser, hiddenField, pkcePair, signInForm } from '../support/browser';
import type { Reply } from '../support/http';
import { API_SCOPE } from './gateways';

/** What a code pool needs of the seeded world. */
export interface CodeOwner {
  client: { id: string; redirectUri: string };
  user: { username: string; password: string };
}

/**
 * The PKCE pair of every plugin code of a run (the plugin requires S256 by
 * default): the exchanges send its verifier. EG's built-in policy ignores it.
 */
export const BENCH_PKCE = pkcePair();

function authorizePath(owner: CodeOwner): string {
  const params = {
    response_type: 'code',
    client_id: owner.client.id,
    redirect_uri: owner.client.redirectUri,
    scope: API_SCOPE,
    state: 'bench',
    code_challenge: BENCH_PKCE.challenge,
    code_challenge_method: 'S256'
  };
  return `/oauth2/authorize?${new URLSearchParams(params)}`;
}

/** The code in a redirect to the client. @throws Error when the gateway answered anything else. */
function codeOf(res: Reply): string {
  const location = res.headers.get('location');
  const code = res.status === 302 && location ? new URL(location).searchParams.get('code') : null;
  if (!code)
    throw new Error(`expected a redirect with a code, got ${res.status} ${location ?? res.text.slice(0, 300)}`);
  return code;
}

/**
 * `count` fresh authorization codes of this plugin, fetched before the timed
 * run: one sign-in and one consent, which the plugin remembers, so every
 * further authorization request redirects straight back with a new code.
 */
export async function pluginCodes(gatewayUrl: string, owner: CodeOwner, count: number): Promise<string[]> {
  const browser = new Browser(gatewayUrl);
  const toLogin = await browser.get(authorizePath(owner));
  const loginPage = await browser.get(toLogin.headers.get('location')!);
  const signedIn = await browser.post('/oauth2/login', signInForm(loginPage, owner.user.username, owner.user.password));
  const consent = await browser.follow(signedIn);
  const decided = await browser.post('/oauth2/authorize/decision', {
    _csrf: hiddenField(consent.text, '_csrf'),
    transaction_id: hiddenField(consent.text, 'transaction_id'),
    allow: 'Allow'
  });
  const codes = [codeOf(decided)];
  while (codes.length < count) codes.push(codeOf(await browser.get(authorizePath(owner))));
  return codes;
}

/**
 * `count` fresh codes of EG's built-in policy: it signs in at /login and
 * then asks for consent at every authorization request, so each code costs
 * the dialog and its decision.
 */
export async function builtinCodes(gatewayUrl: string, owner: CodeOwner, count: number): Promise<string[]> {
  const browser = new Browser(gatewayUrl);
  const signedIn = await browser.post('/login', { username: owner.user.username, password: owner.user.password });
  if (signedIn.status !== 302 || /login/.test(signedIn.headers.get('location') ?? ''))
    throw new Error(`EG sign-in failed: ${signedIn.status}`);
  const codes: string[] = [];
  while (codes.length < count) {
    const dialog = await browser.get(authorizePath(owner));
    const transaction = dialog.headers.get('transaction_id');
    if (dialog.status !== 200 || !transaction)
      throw new Error(`EG authorization dialog: ${dialog.status} ${dialog.text.slice(0, 300)}`);
    codes.push(codeOf(await browser.post('/oauth2/authorize/decision', { transaction_id: transaction })));
  }
  return codes;
}
