import { expect } from 'chai';
import path from 'path';
import { Browser } from '../../support/browser';
import { authorizeUrl, codeParams } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

const CUSTOM = path.resolve(__dirname, '..', '..', '..', 'test', 'views', 'custom');

describe('views: restyling the pages', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  before(async function () {
    world = await startWorld({ settings: { views: CUSTOM, assets: path.join(CUSTOM, 'assets'), serviceName: 'Acme' } });
  });
  after(async function () {
    await world?.stop();
  });

  it('uses a template from the views folder when it has one', async function () {
    const res = await new Browser(world.gateway.url).get('/oauth2/authorize?client_id=nope');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('<h1>Custom error: This application is not registered or is not active.</h1>');
    expect(res.text).to.contain('class="custom-brand"');
  });

  it('falls back to the default template, inside the custom layout, when the folder lacks one', async function () {
    const res = await new Browser(world.gateway.url).get('/oauth2/login');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('class="custom-brand"');
    expect(res.text).to.contain('name="username"');
  });

  it("serves the operator's static assets", async function () {
    const res = await new Browser(world.gateway.url).get('/oauth2/assets/brand.css');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('hotpink');
  });

  it('escapes what it shows (no HTML injection through names)', async function () {
    const admin = world.gateway.admin;
    const app = await admin.registerClient(
      { name: '<script>alert(1)</script>', userId: world.user.id, redirectUri: 'http://127.0.0.1:8000/callback' },
      ['read']
    );
    const browser = new Browser(world.gateway.url);
    const toLogin = await browser.get(authorizeUrl(codeParams(world, { client_id: app.id })));
    const page = await browser.get(toLogin.headers.get('location')!);
    expect(page.text).not.to.contain('<script>alert(1)</script>');
    expect(page.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('views: defaults', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  it('serves the default style sheet', async function () {
    const res = await new Browser(world.gateway.url).get('/oauth2/assets/style.css');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/text\/css/);
  });
});
