// Device authorization grant (RFC 8628): a device without a browser or keyboard (a TV, a CLI) shows a
// code; the user approves it on another device; meanwhile the device polls the token endpoint.
// The device is a public client: it has no secret and sends only its client_id.
// Run with: node examples/device.mjs   (after npm start), then open the printed URL in a browser.
import { api, call, check, demo, discover, sleep } from './lib/demo.mjs';

const { device_authorization_endpoint, token_endpoint } = await discover();
const client_id = demo.publicClient.id;

const started = await call('POST', device_authorization_endpoint, { form: { client_id, scope: 'read' } });
check(
  started.status === 200 && started.json.device_code && started.json.user_code,
  'the device gets a device code and a user code'
);
const { device_code, user_code, verification_uri, verification_uri_complete, expires_in } = started.json;

console.log(`
  ┌──────────────────────────────────────────────────────────────────
  │ On another device, open ${verification_uri}
  │ and enter the code  ${user_code}
  │ or open directly: ${verification_uri_complete}
  │ (sign in as ${demo.user.username} / ${demo.user.password}, then Allow)
  └──────────────────────────────────────────────────────────────────`);

// RFC 8628 §3.5: wait `interval` seconds between polls, 5 more after each slow_down, until expires_in.
let interval = started.json.interval ?? 5;
const deadline = Date.now() + expires_in * 1000;
let token;
while (Date.now() < deadline) {
  await sleep(interval);
  const res = await call('POST', token_endpoint, {
    form: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code, client_id }
  });
  if (res.status === 200) {
    token = res.json;
    break;
  }
  const error = res.json?.error;
  if (error === 'authorization_pending') continue;
  if (error === 'slow_down') {
    interval += 5;
    console.log(`(slowing down: now every ${interval} seconds)`);
    continue;
  }
  check(
    false,
    `polling ends with ${res.status} ${error}${error === 'access_denied' ? ': the user denied access' : ''}`
  );
}
check(token !== undefined, 'the user approved the device before the code expired');
check(
  token.scope === 'read' && typeof token.refresh_token === 'string',
  'the device has an access token (scope read) and a refresh token'
);

const res = await call('GET', api('/api'), { bearer: token.access_token });
check(res.status === 200, 'the device calls the protected API');
