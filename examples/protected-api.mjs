// The resource server side (RFC 6750): the gateway's oauth2 policy guards /api and /api-write.
// Run with: node examples/protected-api.mjs   (after npm start)
import { api, call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint } = await discover();

const none = await call('GET', api('/api'));
check(none.status === 401, 'without a token the API answers 401');
check(
  /^Bearer realm=/.test(none.headers.get('www-authenticate') ?? ''),
  'with a Bearer challenge in WWW-Authenticate (RFC 6750 §3)'
);

const bad = await call('GET', api('/api'), { bearer: 'not-a-token' });
check(
  bad.status === 401 && /error="invalid_token"/.test(bad.headers.get('www-authenticate')),
  'a made-up token is invalid_token'
);

const read = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'client_credentials', scope: 'read' }
});
check(read.status === 200 && read.json.scope === 'read', 'the app gets a read-only token');

const ok = await call('GET', api('/api'), { bearer: read.json.access_token });
check(ok.status === 200, 'with it the API answers 200');

const write = await call('POST', api('/api-write'), { bearer: read.json.access_token });
check(write.status === 403, '/api-write, which needs the write scope, answers 403');
check(
  /error="insufficient_scope"/.test(write.headers.get('www-authenticate') ?? ''),
  'with an insufficient_scope challenge (RFC 6750 §3.1)'
);

const both = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'client_credentials', scope: 'read write' }
});
const allowed = await call('POST', api('/api-write'), { bearer: both.json.access_token });
check(allowed.status === 200, 'a token with the write scope gets through');
