import { expect } from 'chai';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { freePort } from '../../support/gateway';
import { ROOT, Running, runNode } from './processes';

const user = { username: 'alice', password: 'alice-password-1' };

async function succeeds(run: Running): Promise<void> {
  const code = await run.exited;
  expect(code, `the sample exited with ${code}:\n${run.output()}`).to.equal(0);
}

/** Plays the user on the gateway's sign-in page. */
async function signIn(page: Page): Promise<void> {
  expect(new URL(page.url()).pathname).to.equal('/oauth2/login');
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/oauth2/login'), page.click('button[type=submit]')]);
}

/** Clicks Allow on the consent page, unless a remembered consent skipped it and the sample is already done. */
async function allow(page: Page, run: Running): Promise<void> {
  const button = page.locator('button[name=allow]');
  const consent = await Promise.race([
    button.waitFor().then(
      () => true,
      () => false
    ),
    run.exited.then(() => false)
  ]);
  if (consent) await Promise.all([page.waitForNavigation(), button.click()]);
}

/** Opens a browser sample's page, signs in, allows, then does `andThen` (what else the sample asks of its user). */
async function browseSample(browser: Browser, run: Running, andThen: (page: Page) => Promise<void> = async () => {}) {
  const [, url] = await run.waitFor(/Open (\S+) in your browser/);
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await signIn(page);
    await allow(page, run);
    await andThen(page);
    await succeeds(run);
  } finally {
    await page.close();
  }
}

/** Boots `npm start` as a child process on free ports, with `env` besides; resolves once it is ready. */
async function startDemo(
  demoDir: string,
  env: Record<string, string> = {}
): Promise<{ demo: Running; httpPort: number }> {
  const [http, admin, backend, examples, mcp] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort()
  ]);
  const demo = runNode(path.join('dist', 'demo', 'start.js'), {
    DEMO_HTTP_PORT: String(http),
    DEMO_ADMIN_PORT: String(admin),
    DEMO_BACKEND_PORT: String(backend),
    DEMO_EXAMPLES_PORT: String(examples),
    DEMO_MCP_PORT: String(mcp),
    OAUTH2_DEMO_DIR: demoDir,
    ...env
  });
  await demo.waitFor(/Press Ctrl\+C to stop\./, 20000).catch(async (err: unknown) => {
    await demo.stop();
    throw err;
  });
  return { demo, httpPort: http };
}

/**
 * Issue 6, item 6: every sample client in examples/ runs against the `npm start`
 * demo, booted here as a real child process, and exits 0. The browser samples
 * get their user from headless Chromium.
 */
describe('sample clients in examples/ against the demo gateway', function () {
  this.timeout(30000);
  let demo: Running;
  let demoDir: string;
  let demoHttpPort: number;
  let browser: Browser;
  const samples = new Set<Running>();

  function sample(name: string, dir = demoDir): Running {
    const run = runNode(path.join('examples', `${name}.mjs`), { OAUTH2_DEMO_DIR: dir });
    samples.add(run);
    return run;
  }

  const browse = (name: string, andThen?: (page: Page) => Promise<void>) =>
    browseSample(browser, sample(name), andThen);

  before(async function () {
    if (process.env.REDIS_URL) this.skip(); // the demo always runs on EG's emulated store
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-examples-'));
    let started;
    [browser, started] = await Promise.all([launchChromium(), startDemo(demoDir)]);
    ({ demo, httpPort: demoHttpPort } = started);
  });

  after(async function () {
    await Promise.all([...samples].map((run) => run.stop()));
    await browser?.close();
    await demo?.stop();
    if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
  });

  it('the demo prints where demo.json is and a command for every sample, and each has a test here', async function () {
    const output = demo.output();
    expect(output).to.contain(path.join(demoDir, 'demo.json'));
    const files = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((file) => file.endsWith('.mjs'))
      .sort();
    for (const file of files) expect(output).to.contain(`node examples/${file}`);
    expect(files.map((file) => file.replace('.mjs', ''))).to.deep.equal(TESTED.slice().sort());
  });

  it('a second demo on a port in use names the DEMO_* variable that moves it, without a stack trace (issue 16, item 10)', async function () {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-examples-clash-'));
    try {
      const second = runNode(path.join('dist', 'demo', 'start.js'), {
        DEMO_HTTP_PORT: String(demoHttpPort),
        DEMO_ADMIN_PORT: String(await freePort()),
        OAUTH2_DEMO_DIR: otherDir
      });
      expect(await second.exited).to.equal(1);
      expect(second.output()).to.match(
        new RegExp(`port ${demoHttpPort} on 127\\.0\\.0\\.1 is in use .*set DEMO_HTTP_PORT to a free port`)
      );
      expect(second.output()).not.to.match(/\n\s+at /);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('the banner offers the public app (no redirect URI) the device flow only, and the code flow is refused for it (issue 16, item 7)', async function () {
    const demoJson = JSON.parse(fs.readFileSync(path.join(demoDir, 'demo.json'), 'utf8'));
    expect(demo.output()).to.match(
      /public app +client_id=\S+ +\(Demo TV: no secret and no redirect URI, for the device flow\)/
    );
    expect(demo.output()).not.to.match(/public app.*code flow/);
    const authorize = await fetch(
      `${demoJson.gateway}/oauth2/authorize?response_type=code&client_id=${demoJson.publicClient.id}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      { redirect: 'manual' }
    );
    expect(authorize.status).to.equal(400);
  });

  it('a sample says to start the demo first when there is no demo.json', async function () {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-examples-none-'));
    try {
      const run = sample('client-credentials', empty);
      expect(await run.exited).to.equal(1);
      expect(run.output()).to.contain('start the demo first: npm start');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('the client credentials sample gets a token and calls the protected API', async function () {
    await succeeds(sample('client-credentials'));
  });

  it('the password sample gets tokens for the user and calls the protected API', async function () {
    await succeeds(sample('password'));
  });

  it('the refresh token sample rotates the refresh token, and replaying the old one is refused', async function () {
    await succeeds(sample('refresh-token'));
  });

  it("the JWT bearer sample exchanges an assertion signed by the demo's trusted issuer, once", async function () {
    await succeeds(sample('jwt-bearer'));
  });

  it("the SAML bearer sample exchanges an assertion signed by the demo's identity provider, once", async function () {
    await succeeds(sample('saml2-bearer'));
  });

  it('the revoke sample sees the protected API refuse a token once it is revoked', async function () {
    await succeeds(sample('revoke'));
  });

  it('the introspect sample sees its tokens active, then inactive once revoked', async function () {
    await succeeds(sample('introspect'));
  });

  it("the token info sample reads its token's client, user and scopes", async function () {
    await succeeds(sample('tokeninfo'));
  });

  it('the external server sample registers a server, gets its token through the proxy and calls the pipeline naming it', async function () {
    await succeeds(sample('external-server'));
  });

  it("the Janus migration sample runs seed 000's three steps: a Janus-shaped entry, the list, a GET on its listen path /auth/token", async function () {
    await succeeds(sample('janus-migration'));
  });

  it('the protected API sample gets 401 without a token, 200 with one, and 403 insufficient_scope on /api-write', async function () {
    await succeeds(sample('protected-api'));
  });

  it("the MCP agent sample finds everything from the MCP server's URL, registers, signs the user in and calls a tool", async function () {
    await browse('mcp-agent');
  });

  it('the authorization code sample signs the user in through the browser, exchanges the code with PKCE and calls the API', async function () {
    await browse('authorization-code-pkce');
  });

  it('the implicit sample receives the token in the fragment and calls the API', async function () {
    await browse('implicit');
  });

  it('the OpenID Connect sample discovers the gateway, signs the user in, shows the claims and signs out through it', async function () {
    await browse('oidc-login', async (page) => {
      await page.locator('#sign-out').waitFor();
      expect(await page.textContent('h1')).to.match(/^Signed in as /);
      await Promise.all([page.waitForURL((next) => next.pathname === '/oauth2/logout'), page.click('#sign-out')]);
      expect(await page.textContent('body')).to.contain('asks you to sign out');
      await Promise.all([
        page.waitForURL((next) => next.pathname === '/signed-out'),
        page.click('button[type=submit]')
      ]);
    });
  });

  it('the device sample polls until the user approves it in a browser, then calls the API', async function () {
    const run = sample('device');
    const [, url] = await run.waitFor(/"verification_uri_complete": "([^"]+)"/);
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await signIn(page);
      expect(await page.inputValue('#user_code'), 'the code comes filled in from verification_uri_complete').to.match(
        /^[A-Z]{4}-[A-Z]{4}$/
      );
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      await allow(page, run);
      expect(await page.textContent('h1')).to.equal('Device connected');
      await succeeds(run);
    } finally {
      await page.close();
    }
  });
});

/** Every sample, by file name: the first test fails when one is added without a test. */
const TESTED = [
  'client-credentials',
  'password',
  'refresh-token',
  'jwt-bearer',
  'saml2-bearer',
  'revoke',
  'introspect',
  'tokeninfo',
  'protected-api',
  'authorization-code-pkce',
  'implicit',
  'device',
  'external-server',
  'janus-migration',
  'oidc-login',
  'mcp-agent',
  'fapi2'
];

/**
 * Issue 22's "done when": with `DEMO_PROFILE=fapi2 npm start`, the FAPI 2.0 sample (oauth4webapi: PAR,
 * private_key_jwt, DPoP, PKCE) completes its flow in Chromium, and a bearer client is refused, saying why.
 */
describe('the FAPI 2.0 sample against the demo with DEMO_PROFILE=fapi2', function () {
  this.timeout(30000);
  let demo: Running | undefined;
  let demoDir: string;
  let browser: Browser;
  let run: Running | undefined;

  before(async function () {
    if (process.env.REDIS_URL) this.skip(); // the demo always runs on EG's emulated store
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-examples-fapi-'));
    let started;
    [browser, started] = await Promise.all([launchChromium(), startDemo(demoDir, { DEMO_PROFILE: 'fapi2' })]);
    demo = started.demo;
  });
  after(async function () {
    await run?.stop();
    await browser?.close();
    await demo?.stop();
    if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
  });

  it('prints the FAPI banner, and the sample signs the user in, calls the API and refreshes onto a new key', async function () {
    expect(demo!.output()).to.contain('FAPI 2.0 Security Profile (profile: fapi2)');
    run = runNode(path.join('examples', 'fapi2.mjs'), { OAUTH2_DEMO_DIR: demoDir });
    await browseSample(browser, run, async (page) => {
      expect(await page.textContent('h1')).to.equal('Signed in under the FAPI 2.0 Security Profile');
    });
  });

  it('refuses the bearer client the banner shows, saying why', async function () {
    const demoJson = JSON.parse(fs.readFileSync(path.join(demoDir, 'demo.json'), 'utf8'));
    const answer = await fetch(`${demoJson.gateway}/oauth2/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${demoJson.client.id}:${demoJson.client.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded'
      },
      body: 'grant_type=client_credentials'
    });
    expect(answer.status).to.equal(401);
    expect(((await answer.json()) as { error_description: string }).error_description).to.match(
      /private_key_jwt or mutual TLS only/
    );
  });
});
