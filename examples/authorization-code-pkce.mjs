// Authorization code grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636), as a tiny web app: it sends the browser to
// the gateway, where the user signs in and allows access, then exchanges the code it gets back, calls the
// protected API, shows the result and exits.
// Run with: node examples/authorization-code-pkce.mjs   (after npm start), then open the printed URL.
import { createHash, randomBytes } from 'node:crypto';
import { api, call, check, demo, discover, short } from './lib/demo.mjs';
import { escapeHtml, finish, startWebApp } from './lib/web-app.mjs';

const { issuer, authorization_endpoint, token_endpoint } = await discover();
const redirect_uri = demo.examplesRedirectUri;
const random = () => randomBytes(32).toString('base64url');

// The pending sign-in's state and PKCE verifier (a real app keeps them in the user's session).
let pending;

startWebApp({
  '/': (req, res) => {
    pending = { state: random(), verifier: random() };
    const authorize = new URL(authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: demo.client.id,
      redirect_uri,
      scope: 'read write',
      state: pending.state,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256'
    });
    console.log(`\nRedirecting the browser to the authorization endpoint:\n    ${authorize}`);
    res.writeHead(302, { Location: authorize.toString() }).end();
  },

  '/callback': async (req, res, url) => {
    const params = Object.fromEntries(url.searchParams);
    console.log(
      `\nThe browser came back to ${redirect_uri} with ${JSON.stringify({ ...params, code: params.code && short(params.code) })}`
    );
    check(pending && params.state === pending.state, 'state is the one this app sent (CSRF defence, RFC 6749 §10.12)');
    check(
      params.iss === issuer,
      'iss names the authorization server the app sent the user to (mix-up defence, RFC 9207)'
    );
    check(!params.error, `the user allowed access${params.error ? ` (the gateway says ${params.error})` : ''}`);

    const token = await call('POST', token_endpoint, {
      auth: demo.client,
      form: { grant_type: 'authorization_code', code: params.code, redirect_uri, code_verifier: pending.verifier }
    });
    pending = undefined;
    check(token.status === 200, 'the code and the PKCE verifier are exchanged for tokens');

    const called = await call('GET', api('/api'), { bearer: token.json.access_token });
    check(called.status === 200, 'the protected API accepts the access token');
    finish(
      res,
      true,
      'Signed in with the authorization code flow',
      `<p>The app got an access token for <code>${escapeHtml(token.json.scope)}</code>` +
        `${token.json.refresh_token ? ' and a refresh token' : ''}, and called the protected API, whose backend was told:</p>` +
        `<pre>eg-token-scopes: ${escapeHtml(called.json.headers['eg-token-scopes'])}\n` +
        `eg-token-authenticated-user-id: ${escapeHtml(called.json.headers['eg-token-authenticated-user-id'])}</pre>` +
        '<p>The sample has exited; the terminal shows every request it made.</p>'
    );
  }
});
