// Implicit grant (RFC 6749 §4.2), as a tiny web app: the access token comes back in the redirect's fragment,
// which only the browser sees, so the callback page's script hands it to the app. RFC 9700 §2.1.2 advises
// against this flow (prefer authorization-code-pkce.mjs); the demo enables it only for this sample.
// Run with: node examples/implicit.mjs   (after npm start), then open the printed URL.
import { randomBytes } from 'node:crypto';
import { api, call, check, demo, discover, short } from './lib/demo.mjs';
import { escapeHtml, finish, readForm, startWebApp } from './lib/web-app.mjs';

const { issuer, authorization_endpoint } = await discover();
const redirect_uri = demo.examplesRedirectUri;

// The pending sign-in's state (a real app keeps it in the user's session).
let state;

/**
 * The redirect URI's page: posts the fragment (or, for some errors, the query) to the app, and drops it from the
 * address bar.
 */
const CALLBACK_PAGE = `<!doctype html><meta charset="utf-8"><title>Implicit sample</title><p>Handing the token to the app…</p>
<script>
  const response = location.hash.slice(1) || location.search.slice(1);
  history.replaceState(null, '', location.pathname);
  fetch('/fragment', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: response })
    .then((res) => res.text())
    .then((html) => { document.open(); document.write(html); document.close(); });
</script>`;

startWebApp({
  '/': (req, res) => {
    state = randomBytes(32).toString('base64url');
    const authorize = new URL(authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: 'token',
      client_id: demo.client.id,
      redirect_uri,
      scope: 'read',
      state
    });
    console.log(`\nRedirecting the browser to the authorization endpoint:\n    ${authorize}`);
    res.writeHead(302, { Location: authorize.toString() }).end();
  },

  '/callback': (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(CALLBACK_PAGE);
  },

  '/fragment': async (req, res) => {
    const params = Object.fromEntries(await readForm(req));
    console.log(
      `\nThe callback page sent the fragment: ${JSON.stringify({ ...params, access_token: params.access_token && short(params.access_token) })}`
    );
    check(state && params.state === state, 'state is the one this app sent (CSRF defence, RFC 6749 §10.12)');
    check(
      params.iss === issuer,
      'iss names the authorization server the app sent the user to (mix-up defence, RFC 9207)'
    );
    check(!params.error, `the user allowed access${params.error ? ` (the gateway says ${params.error})` : ''}`);
    check(params.token_type === 'Bearer' && params.access_token, 'the fragment holds a bearer access token');
    check(!params.refresh_token, 'and never a refresh token (RFC 6749 §4.2.2)');
    state = undefined;

    const called = await call('GET', api('/api'), { bearer: params.access_token });
    check(called.status === 200, 'the protected API accepts the access token');
    finish(
      res,
      true,
      'Signed in with the implicit flow',
      `<p>The app got an access token for <code>${escapeHtml(params.scope)}</code>, valid ${escapeHtml(params.expires_in)} seconds, ` +
        'and called the protected API, whose backend was told:</p>' +
        `<pre>eg-token-scopes: ${escapeHtml(called.json.headers['eg-token-scopes'])}\n` +
        `eg-token-authenticated-user-id: ${escapeHtml(called.json.headers['eg-token-authenticated-user-id'])}</pre>` +
        '<p>The sample has exited; the terminal shows every request it made.</p>'
    );
  }
});
