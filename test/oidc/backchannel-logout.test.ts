import { expect } from 'chai';
import http from 'http';
import type { AddressInfo } from 'net';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser, hiddenField } from '../../support/browser';
import { authorize, codeParams, decide } from '../helpers/flow';
import type { World } from '../helpers/world';
import { signInWithIdToken, startOidcWorld } from './oidc-world';

/** What an app's back-channel logout endpoint received, and how it answers the next POST. */
class LogoutReceiver {
  readonly tokens: string[] = [];
  /** The statuses of the next answers, first first; 200 once they run out. `hold`: answer only when released. */
  answers: Array<number | 'hold'> = [];
  private held: Array<() => void> = [];
  private waiting: Array<() => void> = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      this.tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      for (const wake of this.waiting.splice(0)) wake();
      const answer = this.answers.shift() ?? 200;
      if (answer === 'hold') this.held.push(() => res.writeHead(200).end());
      else res.writeHead(answer).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/backchannel-logout`;
  }

  /** Resolves once `count` logout tokens have arrived. */
  async received(count: number): Promise<void> {
    while (this.tokens.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  stop(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** OpenID Connect Back-Channel Logout 1.0: a user's sign-out is POSTed to the apps the sign-in gave ID tokens to. */
describe('OpenID Connect back-channel logout', function () {
  let world: World;
  const receiver = new LogoutReceiver();
  before(async function () {
    const uri = await receiver.start();
    world = await startOidcWorld({ settings: { clientUrls: { allowPrivateNetworks: true } } });
    await world.gateway.admin.updateApp(world.app.id, { backchannelLogoutUri: uri });
  });
  after(async function () {
    await world?.stop();
    await receiver.stop();
  });

  const signedIn = () => signInWithIdToken(world);

  async function signOut(browser: Browser) {
    const page = await browser.get('/oauth2/logout');
    return browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
  }

  it('is announced in the discovery document', async function () {
    const res = await new Browser(world.gateway.url).get('/.well-known/openid-configuration');
    expect(res.json).to.include({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });

  it("sends the app a signed logout token naming the user and the ID token's sign-in when the user signs out", async function () {
    const { browser, idToken } = await signedIn();
    const { sid, sub } = decodeJwt(idToken);
    expect(sid).to.be.a('string');
    const before = receiver.tokens.length;
    expect((await signOut(browser)).status).to.equal(200);
    await receiver.received(before + 1);
    const token = receiver.tokens[before]!;
    expect(decodeProtectedHeader(token).typ).to.equal('logout+jwt');
    const jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    const { payload } = await jwtVerify(token, jwks, { issuer: world.gateway.url, audience: world.app.id });
    expect(payload).to.include({ sid, sub });
    expect(payload.events).to.deep.equal({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.jti).to.be.a('string');
    expect(payload, 'Back-Channel Logout §2.4: never a nonce').not.to.have.property('nonce');
    // A logout token is no ID token: it cannot serve as an id_token_hint.
    const hinted = await browser.get(`/oauth2/logout?id_token_hint=${token}`);
    expect(hinted.status).to.equal(400);
  });

  it('never makes the user wait for the app, and retries until the app answers 200', async function () {
    const { browser } = await signedIn();
    const before = receiver.tokens.length;
    receiver.answers = [503, 'hold'];
    const done = await signOut(browser);
    expect(done.status, 'the sign-out answered before the app did').to.equal(200);
    await receiver.received(before + 2); // the first attempt got 503, the second is held
    expect(receiver.tokens[before + 1]).to.equal(receiver.tokens[before]);
    receiver.release();
  });

  it('tells nobody of a sign-out whose sign-in gave the app no ID token', async function () {
    const browser = new Browser(world.gateway.url);
    const callback = await decide(browser, await authorize(browser, world, codeParams(world, { scope: 'read' })), true);
    expect(callback.searchParams.get('code')).to.be.a('string');
    const before = receiver.tokens.length;
    await signOut(browser);
    // Another sign-in's logout reaches the receiver after it: the plain OAuth one sent nothing before.
    const { browser: second } = await signedIn();
    await signOut(second);
    await receiver.received(before + 1);
    expect(receiver.tokens.length).to.equal(before + 1);
    expect(decodeJwt(receiver.tokens[before]!).sid).not.to.equal(undefined);
  });
});
