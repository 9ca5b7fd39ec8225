// Token info: the holder of an access token asks the gateway about it, authenticating with the token itself
// (GET /oauth2/tokeninfo, Authorization: Bearer). Unlike introspection it needs no client secret.
// Run with: node examples/tokeninfo.mjs   (after npm start)
import { call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint } = await discover();
// Not an RFC 8414 field: the plugin serves token info next to its token endpoint.
const tokeninfo = new URL('tokeninfo', token_endpoint).toString();

const token = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'password', username: demo.user.username, password: demo.user.password, scope: 'read write' }
});
check(token.status === 200, 'the app gets an access token for the user');

const info = await call('GET', tokeninfo, { bearer: token.json.access_token });
check(info.status === 200, "token info answers the token's holder");
check(info.json.client_id === demo.client.id, 'naming the client it was issued to');
check(info.json.username === demo.user.username, `and the user, ${demo.user.username}`);
check(info.json.scope === 'read write', 'and its scopes');

const bad = await call('GET', tokeninfo, { bearer: 'not-a-token' });
check(bad.status === 401, 'an unknown token gets a 401');
