// Coming from Janus: seed 000's three steps, unchanged but for host and port. An entry in Janus's
// shape goes to /oauth/servers, is listed back, and its token endpoint answers on its listen_path,
// /auth/token, on the gateway port; the pipeline naming the server (server: demo-partner) then
// accepts the tokens it issues. A Janus-era authorization server is started here to stand in for
// the partner's (HS256 JWTs, a token endpoint called with GET, as Janus's docs call it).
// Run with: node examples/janus-migration.mjs   (after npm start)
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { api, call, check, demo } from './lib/demo.mjs';

const key = randomBytes(32).toString('base64url');
const legacyClient = { id: 'legacy-app', secret: randomBytes(16).toString('hex') };

/** The partner's Janus-era server: client_credentials only, its client in HTTP Basic, an HS256 JWT back. */
const partner = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://partner');
  const expected = `Basic ${Buffer.from(`${legacyClient.id}:${legacyClient.secret}`).toString('base64')}`;
  res.setHeader('Content-Type', 'application/json');
  if (
    url.pathname !== '/token' ||
    url.searchParams.get('grant_type') !== 'client_credentials' ||
    req.headers.authorization !== expected
  ) {
    res.statusCode = 400;
    return res.end(JSON.stringify({ error: 'invalid_request' }));
  }
  const token = await new SignJWT({ scope: 'read', client_id: legacyClient.id })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(legacyClient.id)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(key));
  res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 }));
});
await new Promise((resolve) => partner.listen(0, '127.0.0.1', resolve));
const partnerUrl = `http://127.0.0.1:${partner.address().port}`;

try {
  // Janus's admin API takes a bearer token; EG's has no authentication of its own: the header is accepted and ignored.
  const admin = { Authorization: 'Bearer yourToken', 'Content-Type': 'application/json' };
  await call('DELETE', `${demo.admin}/oauth/servers/demo-partner`, { headers: admin }); // a run before this one may have left it

  const auth = {
    name: 'demo-partner',
    oauth_endpoints: {
      token: {
        listen_path: '/auth/token',
        upstreams: { balancing: 'roundrobin', targets: [{ target: `${partnerUrl}/token` }] },
        strip_path: true,
        append_path: false,
        preserve_host: false,
        methods: ['GET', 'POST']
      }
    },
    token_strategy: { name: 'jwt', settings: [{ alg: 'HS256', key }], leeway: 0 }
  };
  // Step 1: curl -X POST localhost:<admin>/oauth/servers -H "Authorization:Bearer yourToken" -H "Content-Type:
  // application/json" -d @auth.json
  const created = await call('POST', `${demo.admin}/oauth/servers`, { headers: admin, json: auth });
  check(created.status === 201, "the admin API takes the entry in Janus's shape (201)");
  check(
    created.json.warnings?.some((warning) => warning.includes('issuer')),
    'and says what Janus accepts that is weak (here: no issuer or audience check)'
  );

  // Step 2: curl -X GET localhost:<admin>/oauth/servers -H "Authorization:Bearer yourToken" -H "Content-Type:
  // application/json"
  const listed = await call('GET', `${demo.admin}/oauth/servers`, { headers: admin });
  const entry = listed.json.servers.find((server) => server.name === 'demo-partner');
  check(entry?.oauth_endpoints.token.listen_path === '/auth/token', "the list answers it in Janus's shape");
  check(entry.token_strategy.settings[0].key.startsWith('****'), 'with its key masked');

  // Step 3: curl -X GET "http://localhost:<port>/auth/token?grant_type=client_credentials" -H "Authorization: Basic
  // <client>"
  const token = await call('GET', api('/auth/token?grant_type=client_credentials'), {
    auth: legacyClient,
    headers: { 'Content-Type': 'application/json' }
  });
  check(
    token.status === 200 && token.json.access_token,
    "the gateway port answers the listen path /auth/token with the partner's token"
  );

  const res = await call('GET', api('/api-partner'), { bearer: token.json.access_token });
  check(res.status === 200, 'the pipeline with server: demo-partner accepts it');
  check(res.json.headers['eg-token-scopes'] === 'read', 'and tells the backend its scopes');

  check(
    (await call('DELETE', `${demo.admin}/oauth/servers/demo-partner`, { headers: admin })).status === 204,
    'the admin API removes the entry'
  );
  const gone = await call('GET', api('/auth/token?grant_type=client_credentials'), { auth: legacyClient });
  check(gone.status === 404, 'and its listen path is gone at once');
} finally {
  partner.close();
}
