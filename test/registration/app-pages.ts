import { expect } from 'chai';
import type { AdminClient } from '../../support/admin-client';
import { Browser, hiddenField, signInForm } from '../../support/browser';

import type { Reply } from '../../support/http';

export const APPS = '/oauth2/apps';

export interface TestUser {
  id: string;
  username: string;
  password: string;
}

/** An EG user who can sign in on the pages (a basic-auth credential). */
export async function createUser(admin: AdminClient, username: string): Promise<TestUser> {
  const password = `${username}-password-1`;
  const user = await admin.createUser({ username, firstname: username, lastname: 'Tester' });
  await admin.createCredential(user.id, 'basic-auth', { password, autoGeneratePassword: false });
  return { id: user.id, username, password };
}

/** A fetch-driven browser signed in as `user`, via the apps page's redirect to the login page and back. */
export async function signedIn(base: string, user: TestUser): Promise<Browser> {
  const browser = new Browser(base);
  const toLogin = await browser.get(APPS);
  expect(toLogin.status).to.equal(303);
  expect(toLogin.headers.get('location')).to.equal(`/oauth2/login?return_to=${encodeURIComponent(APPS)}`);
  const login = await browser.get(toLogin.headers.get('location')!);
  const back = await browser.post('/oauth2/login', signInForm(login, user.username, user.password));
  expect(back.headers.get('location'), 'the login page returns to the apps page').to.equal(APPS);
  return browser;
}

export interface RegisterFields {
  name: string;
  redirectUris: string;
  type?: string;
  scopes?: string[];
}

/** Fills and posts the registration form of the apps page. */
export async function postRegistration(browser: Browser, fields: RegisterFields): Promise<Reply> {
  const page = await browser.get(APPS);
  const form: [string, string][] = [
    ['_csrf', hiddenField(page.text, '_csrf')],
    ['name', fields.name],
    ['redirect_uris', fields.redirectUris],
    ['type', fields.type ?? 'confidential'],
    ...(fields.scopes ?? []).map((scope): [string, string] => ['scope', scope])
  ];
  return browser.post(APPS, form);
}

const codeText = (html: string, id: string) => new RegExp(`<code id="${id}">([^<]*)</code>`).exec(html)?.[1];

/** Registers through the form and reads the one-time credentials page. */
export async function register(
  browser: Browser,
  fields: RegisterFields
): Promise<{ id: string; secret?: string; page: Reply }> {
  const posted = await postRegistration(browser, fields);
  expect(posted.status, posted.text.slice(0, 1500)).to.equal(303);
  expect(posted.headers.get('location')).to.equal(`${APPS}/credentials`);
  const page = await browser.get(`${APPS}/credentials`);
  expect(page.status).to.equal(200);
  return { id: codeText(page.text, 'client-id')!, secret: codeText(page.text, 'client-secret'), page };
}

/** Posts one of an app's buttons (delete, rotate) with the page's CSRF token. */
export async function postAppAction(browser: Browser, clientId: string, action: 'delete' | 'rotate'): Promise<Reply> {
  const page = await browser.get(APPS);
  return browser.post(`${APPS}/${encodeURIComponent(clientId)}/${action}`, { _csrf: hiddenField(page.text, '_csrf') });
}
