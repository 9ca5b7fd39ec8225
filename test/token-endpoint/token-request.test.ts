import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

describe('token endpoint: malformed requests', function () {
  let world: World;
  let tokenUrl: string;
  let auth: string;
  before(async function () {
    world = await startWorld({ settings: { grants: ['client_credentials', 'password'] } });
    tokenUrl = `${world.gateway.url}/oauth2/token`;
    auth = basic(world.app.id, world.app.secret);
  });
  after(async function () {
    await world?.stop();
  });

  function expectError(
    res: { status: number; json: any; headers: Headers },
    status: number,
    error: string,
    description?: RegExp
  ) {
    expect(res.status, JSON.stringify(res.json)).to.equal(status);
    expect(res.json.error).to.equal(error);
    expect(res.json.error_description).to.be.a('string');
    if (description) expect(res.json.error_description).to.match(description);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('pragma')).to.equal('no-cache');
  }

  it('answers invalid_request when grant_type is missing', async function () {
    expectError(
      await postForm(tokenUrl, { scope: 'read' }, { Authorization: auth }),
      400,
      'invalid_request',
      /grant_type/
    );
  });

  it('answers unsupported_grant_type for an unknown grant type', async function () {
    expectError(
      await postForm(tokenUrl, { grant_type: 'urn:x:magic' }, { Authorization: auth }),
      400,
      'unsupported_grant_type'
    );
  });

  it('answers unsupported_grant_type for a grant disabled in the settings', async function () {
    expectError(
      await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: 'x' }, { Authorization: auth }),
      400,
      'unsupported_grant_type'
    );
  });

  it('answers invalid_request when a parameter is repeated', async function () {
    const res = await postForm(tokenUrl, 'grant_type=client_credentials&scope=read&scope=write', {
      Authorization: auth
    });
    expectError(res, 400, 'invalid_request', /'scope' is repeated/);
  });

  it('keeps error_description to the characters RFC 6749 section 5.2 allows, whatever the request held, and its own texts too', async function () {
    const allowed = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;
    const hostile = 'x"<script>é\\\u202E\n雪';
    const answers = [
      await postForm(tokenUrl, { grant_type: hostile }, { Authorization: auth }),
      await postForm(
        tokenUrl,
        `grant_type=client_credentials&${encodeURIComponent(hostile)}=1&${encodeURIComponent(hostile)}=2`,
        { Authorization: auth }
      ),
      await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'read  write' }, { Authorization: auth })
    ];
    for (const res of answers) {
      expect(res.status).to.equal(400);
      expect(res.json.error_description, JSON.stringify(res.json)).to.match(allowed);
      expect(res.json.error_description).not.to.contain('<script>');
    }
    expect(answers[0].json.error_description).to.equal("The grant type 'x'?script??/???' is not supported");
    expect(answers[2].json.error_description).to.equal('The scope parameter is malformed (RFC 6749 section 3.3)');
  });

  it('answers invalid_request for a JSON body', async function () {
    const res = await request(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: auth },
      body: JSON.stringify({ grant_type: 'client_credentials' })
    });
    expectError(res, 400, 'invalid_request', /x-www-form-urlencoded/);
  });

  it('answers invalid_request for a request without a body', async function () {
    const res = await request(tokenUrl, { method: 'POST', headers: { Authorization: auth } });
    expectError(res, 400, 'invalid_request');
  });

  it('answers invalid_request for a body over the size limit', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', padding: 'x'.repeat(20000) },
      { Authorization: auth }
    );
    expectError(res, 400, 'invalid_request', /too large/);
  });

  it('answers invalid_request for a body with too many parameters', async function () {
    const many = Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&');
    expectError(
      await postForm(tokenUrl, `grant_type=client_credentials&${many}`, { Authorization: auth }),
      400,
      'invalid_request'
    );
  });

  it('answers invalid_request for an unsupported charset', async function () {
    const res = await request(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=koi8-r', Authorization: auth },
      body: 'grant_type=client_credentials'
    });
    expectError(res, 400, 'invalid_request');
  });

  it('answers invalid_scope for a malformed scope parameter (RFC 6749 §5.2)', async function () {
    expectError(
      await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'read  write' }, { Authorization: auth }),
      400,
      'invalid_scope',
      /scope/
    );
    expectError(
      await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'read"' }, { Authorization: auth }),
      400,
      'invalid_scope',
      /scope/
    );
  });

  it('answers invalid_scope for a scope with broken percent-encoding', async function () {
    expectError(
      await postForm(tokenUrl, 'grant_type=client_credentials&scope=%E0%A4%A', { Authorization: auth }),
      400,
      'invalid_scope',
      /scope/
    );
  });

  it('answers 405 with Allow: POST to any other method', async function () {
    const res = await request(tokenUrl);
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('POST');
    expect(res.json.error).to.equal('invalid_request');
  });

  it('answers invalid_request when the password grant lacks the username', async function () {
    expectError(
      await postForm(tokenUrl, { grant_type: 'password', password: 'x' }, { Authorization: auth }),
      400,
      'invalid_request'
    );
  });
});

describe("token endpoint: JSON bodies for clients written for EG's built-in policy (tokenEndpoint.acceptJson; issue 17, item 8)", function () {
  let world: World;
  let tokenUrl: string;
  before(async function () {
    world = await startWorld({
      settings: { grants: ['client_credentials', 'password', 'refresh_token'], tokenEndpoint: { acceptJson: true } }
    });
    tokenUrl = `${world.gateway.url}/oauth2/token`;
  });
  after(async function () {
    await world?.stop();
  });

  const json = (body: unknown, headers: Record<string, string> = {}) =>
    request(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    });

  it('issues tokens for a JSON token request, with the client in Basic or in the body, and the token opens the API', async function () {
    const basicAuth = await json(
      { grant_type: 'client_credentials', scope: 'read' },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(basicAuth.status, basicAuth.text).to.equal(200);
    expect((await world.api(basicAuth.json.access_token)).status).to.equal(200);
    const inBody = await json({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password,
      client_id: world.app.id,
      client_secret: world.app.secret
    });
    expect(inBody.status, inBody.text).to.equal(200);
    expect(inBody.json.refresh_token).to.be.a('string');
  });

  it('refuses what a form could not hold: nested values, numbers, arrays, a body that is not an object, a repeated parameter', async function () {
    const auth = { Authorization: basic(world.app.id, world.app.secret) };
    // A repeated key: JSON.parse would keep the last, a proxy in front may read the first; escapes spell the same key
    // twice.
    const repeated = [
      '{"grant_type":"password","grant_type":"client_credentials"}',
      '{"scope":"read","grant_type":"client_credentials","sc\\u006fpe":"write"}'
    ];
    for (const body of [
      { grant_type: 'client_credentials', scope: ['read'] },
      { grant_type: 'client_credentials', scope: { a: 1 } },
      { grant_type: 2 },
      ['grant_type'],
      '"client_credentials"',
      '{"grant_type":',
      ...repeated
    ]) {
      const res = await json(body, auth);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).to.equal(400);
      expect(res.json.error).to.equal('invalid_request');
    }
  });

  it('still takes forms, and nothing but forms and JSON', async function () {
    expect(
      (
        await postForm(
          tokenUrl,
          { grant_type: 'client_credentials' },
          { Authorization: basic(world.app.id, world.app.secret) }
        )
      ).status
    ).to.equal(200);
    const text = await request(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: basic(world.app.id, world.app.secret) },
      body: 'grant_type=client_credentials'
    });
    expect(text.status).to.equal(400);
  });
});
