// An external authorization server, registered at runtime (as Janus's /oauth/servers): the gateway
// proxies its token endpoint and a pipeline (server: demo-partner) accepts its tokens, without a restart.
// The demo's own endpoints stand in for the partner's here; any OAuth server works the same way.
// Run with: node examples/external-server.mjs   (after npm start)
import { api, call, check, demo } from './lib/demo.mjs';

const registry = `${demo.admin}/oauth2/servers`;
const partner = new URL(demo.gateway);
partner.hostname = '127.0.0.1'; // the upstream URL must be https, or http on loopback
const proxied = api('/oauth2/servers/demo-partner/token');

await call('DELETE', `${registry}/demo-partner`); // a run before this one may have left it
const before = await call('GET', api('/api-partner'), { bearer: 'any-token' });
check(before.status === 401, 'while no server is named demo-partner, /api-partner refuses every token');

const entry = {
  name: 'demo-partner',
  endpoints: { token: { url: new URL('/oauth2/token', partner).toString(), timeout: 3000 } },
  allowedGrants: ['password', 'refresh_token'],
  secrets: { [demo.client.id]: demo.client.secret },
  tokenStrategy: {
    name: 'introspection',
    introspection: {
      endpoint: new URL('/oauth2/introspect', partner).toString(),
      clientId: demo.client.id,
      clientSecret: demo.client.secret
    }
  }
};
const created = await call('POST', registry, { json: entry });
check(created.status === 201, 'the admin API registers the server (201)');
check(created.json.secrets[demo.client.id].startsWith('****'), 'and answers its secrets masked, never in clear');

const first = await call('POST', proxied, {
  auth: demo.client,
  form: { grant_type: 'password', username: demo.user.username, password: demo.user.password, scope: 'read' }
});
check(first.status === 200 && first.json.refresh_token, "the gateway proxies the partner's token endpoint");

// The secret is added only where the grant itself proves the request (a code, a refresh token, a device code).
const token = await call('POST', proxied, {
  form: { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, client_id: demo.client.id }
});
check(
  token.status === 200 && token.json.access_token,
  'and adds the registered secret for a client that sends only its client_id'
);

const refused = await call('POST', proxied, { auth: demo.client, form: { grant_type: 'client_credentials' } });
check(
  refused.status === 400 && refused.json.error === 'unsupported_grant_type',
  'a grant the entry does not allow is refused at the gateway'
);

const res = await call('GET', api('/api-partner'), { bearer: token.json.access_token });
check(res.status === 200, "the pipeline with server: demo-partner accepts the partner's token at once");
check(res.json.headers['eg-token-scopes'] === 'read', 'and tells the backend its scopes, as for local tokens');

const removed = await call('DELETE', `${registry}/demo-partner`);
check(removed.status === 204, 'the admin API removes the server');
const after = await call('GET', api('/api-partner'), { bearer: token.json.access_token });
check(after.status === 401, 'and at the next request the pipeline refuses its tokens');
