// Client credentials grant (RFC 6749 §4.4): the app gets a token for itself and calls the protected API.
// Run with: node examples/client-credentials.mjs   (after npm start)
import { api, call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint } = await discover();

const token = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'client_credentials', scope: 'read' }
});
check(token.status === 200 && token.json.token_type === 'Bearer', 'the token endpoint issues a bearer token');
check(token.json.refresh_token === undefined, 'with no refresh token: the app can always ask again (RFC 6749 §4.4.3)');

const res = await call('GET', api('/api'), { bearer: token.json.access_token });
check(res.status === 200, 'the protected API accepts the token');
check(
  res.json.headers['eg-token-scopes'] === 'read',
  "the gateway tells the backend the token's scopes (eg-token-scopes)"
);
