// Token introspection (RFC 7662): a client asks the gateway what one of its tokens is worth.
// (A client may introspect its own tokens; one with the "introspection" scope may introspect any.)
// Run with: node examples/introspect.mjs   (after npm start)
import { call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint, introspection_endpoint, revocation_endpoint } = await discover();

const token = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'password', username: demo.user.username, password: demo.user.password, scope: 'read' }
});
check(token.status === 200, 'the app gets tokens for the user');

const active = await call('POST', introspection_endpoint, {
  auth: demo.client,
  form: { token: token.json.access_token, token_type_hint: 'access_token' }
});
check(active.status === 200 && active.json.active === true, 'the access token is active');
check(
  active.json.client_id === demo.client.id && active.json.scope === 'read',
  'issued to this client, with scope read'
);
check(active.json.username === demo.user.username, `on behalf of ${demo.user.username}`);
check(typeof active.json.exp === 'number', 'with its expiry time');

const refresh = await call('POST', introspection_endpoint, {
  auth: demo.client,
  form: { token: token.json.refresh_token }
});
check(refresh.json.active === true, 'the refresh token is active too');

await call('POST', revocation_endpoint, { auth: demo.client, form: { token: token.json.access_token } });
const gone = await call('POST', introspection_endpoint, {
  auth: demo.client,
  form: { token: token.json.access_token }
});
check(
  gone.status === 200 && JSON.stringify(gone.json) === '{"active":false}',
  'once revoked it is {"active": false}, and nothing more (RFC 7662 §2.2)'
);

const unknown = await call('POST', introspection_endpoint, { auth: demo.client, form: { token: 'not-a-token' } });
check(unknown.status === 200 && unknown.json.active === false, 'an unknown token is inactive too');
