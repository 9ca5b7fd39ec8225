import { expect } from 'chai';
import { Browser, hiddenField, signInForm } from '../../support/browser';
import type { World } from './world';

const hiddenValue = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? '';

/**
 * Plays the user of a device flow (RFC 8628 §3.3): opens the verification URI, signs in as the world's user, enters
 * the code (the one filled in, or `userCode`) and answers the consent page; returns the page it ends on.
 */
export async function approveDevice(
  world: World,
  browser: Browser,
  verificationUri: string,
  allow: boolean,
  userCode?: string,
  /** Reads the consent page (what it names) before the user answers it. */
  seeConsent: (html: string) => void = () => {}
): Promise<string> {
  let page = await browser.get(verificationUri);
  if (page.status === 302) {
    const login = await browser.get(page.headers.get('location')!);
    const signedIn = await browser.post('/oauth2/login', signInForm(login, world.user.username, world.user.password));
    page = await browser.follow(signedIn);
  }
  expect(page.status, page.text.slice(0, 300)).to.equal(200);
  const typed = userCode ?? hiddenValue(page.text, 'user_code');
  const consent = await browser.post('/oauth2/device', { _csrf: hiddenField(page.text, '_csrf'), user_code: typed });
  expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
  expect(consent.text).to.contain('Allow access?');
  seeConsent(consent.text);
  const form: Record<string, string> = {
    _csrf: hiddenField(consent.text, '_csrf'),
    user_code: hiddenField(consent.text, 'user_code')
  };
  if (allow) form.allow = 'Allow';
  else form.cancel = 'Deny';
  const done = await browser.post('/oauth2/device/decision', form);
  expect(done.status).to.equal(200);
  return done.text;
}
