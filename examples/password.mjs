// Resource owner password credentials grant (RFC 6749 §4.3): the app sends the user's name and password.
// Only for first-party apps the user trusts with the password; RFC 9700 §2.4 says not to use it otherwise.
// Run with: node examples/password.mjs   (after npm start)
import { api, call, check, demo, discover } from './lib/demo.mjs';

const { token_endpoint } = await discover();

const token = await call('POST', token_endpoint, {
  auth: demo.client,
  form: { grant_type: 'password', username: demo.user.username, password: demo.user.password, scope: 'read write' }
});
check(token.status === 200, `${demo.user.username}'s password gets tokens`);
check(typeof token.json.refresh_token === 'string', 'with a refresh token');

const res = await call('GET', api('/api'), { bearer: token.json.access_token });
check(res.status === 200, 'the protected API accepts the access token');
check(
  res.json.headers['eg-token-authenticated-user-id'] !== undefined,
  'and the backend learns on whose behalf (eg-token-authenticated-user-id)'
);
// (No wrong-password attempt here: failures count against the user, who is locked out after 5.)
