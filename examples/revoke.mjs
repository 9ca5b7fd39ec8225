// Token revocation (RFC 7009): the app tells the gateway it no longer needs a token; the API refuses it afterwards.
// Run with: node examples/revoke.mjs   (after npm start)
import { api, call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint, revocation_endpoint } = await discover();

const token = await call('POST', token_endpoint, { auth: demo.client, form: { grant_type: 'client_credentials' } });
check(token.status === 200, 'the app gets an access token');

const before = await call('GET', api('/api'), { bearer: token.json.access_token });
check(before.status === 200, 'the protected API accepts it');

const revoked = await call('POST', revocation_endpoint, {
  auth: demo.client,
  form: { token: token.json.access_token, token_type_hint: 'access_token' }
});
check(revoked.status === 200, 'the revocation endpoint answers 200 (RFC 7009 §2.2)');

const after = await call('GET', api('/api'), { bearer: token.json.access_token });
check(after.status === 401, 'the protected API now refuses the token');
check(
  /error="invalid_token"/.test(after.headers.get('www-authenticate') ?? ''),
  'with an invalid_token challenge (RFC 6750 §3.1)'
);

const again = await call('POST', revocation_endpoint, { auth: demo.client, form: { token: token.json.access_token } });
check(again.status === 200, 'revoking it again is not an error: the token is invalid either way (RFC 7009 §2.2)');
