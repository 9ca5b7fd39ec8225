// Refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14): every refresh returns a new
// refresh token, and the old one is refused from then on.
// Run with: node examples/refresh-token.mjs   (after npm start)
import { api, call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint } = await discover();

const first = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'password', username: demo.user.username, password: demo.user.password, scope: 'read write' }
});
check(first.status === 200 && typeof first.json.refresh_token === 'string', 'the password grant gives a refresh token');

const refreshed = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, scope: 'read' }
});
check(refreshed.status === 200, 'the refresh token gets a new access token');
check(refreshed.json.scope === 'read', 'narrowed to the scope asked for');
check(
  refreshed.json.refresh_token && refreshed.json.refresh_token !== first.json.refresh_token,
  'and a new refresh token (rotation)'
);

const res = await call('GET', api('/api'), { bearer: refreshed.json.access_token });
check(res.status === 200, 'the new access token works');

const replay = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'refresh_token', refresh_token: first.json.refresh_token }
});
check(replay.status === 400 && replay.json.error === 'invalid_grant', 'the old refresh token is refused');

// A replayed refresh token means it leaked: the whole grant is revoked, new tokens included.
const after = await call('GET', api('/api'), { bearer: refreshed.json.access_token });
check(after.status === 401, 'and its replay revoked the grant: the new access token is refused too');
