// OpenID Connect sign-in (OpenID Connect Core 1.0) as a tiny relying party web app, with openid-client, a certified
// relying party library: it discovers the gateway (/.well-known/openid-configuration), signs the user in with the code
// flow (PKCE, state, nonce), refreshes, shows the ID token's and UserInfo's claims, and signs the user out again
// through the gateway's end_session_endpoint (RP-Initiated Logout), then exits.
// Run with: node examples/oidc-login.mjs   (after npm start), then open the printed URL.
import * as oidc from 'openid-client';
import { check, demo, short } from './lib/demo.mjs';
import { escapeHtml, finish, show, startWebApp } from './lib/web-app.mjs';

// http on localhost is the demo's; a real relying party talks to an https issuer and drops allowInsecureRequests.
const config = await oidc.discovery(new URL(demo.gateway), demo.client.id, demo.client.secret, undefined, {
  execute: [oidc.allowInsecureRequests]
});
console.log(`Discovered ${demo.gateway}/.well-known/openid-configuration:`, {
  authorization_endpoint: config.serverMetadata().authorization_endpoint,
  userinfo_endpoint: config.serverMetadata().userinfo_endpoint,
  end_session_endpoint: config.serverMetadata().end_session_endpoint
});

// The pending sign-in and the signed-in user (a real app keeps them in the user's session).
let pending;
let idToken;

startWebApp({
  '/': async (req, res) => {
    pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: demo.examplesRedirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce
    });
    console.log(`\nRedirecting the browser to the authorization endpoint:\n    ${url}`);
    res.writeHead(302, { Location: url.toString() }).end();
  },

  '/callback': async (req, res, url) => {
    check(pending, 'a sign-in is pending');
    // Checks state, iss (RFC 9207), the code exchange with PKCE, and the ID token: signature, iss, aud, exp, nonce.
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true
    });
    pending = undefined;
    const claims = tokens.claims();
    check(claims?.sub, `the ID token is valid and names the user (sub ${claims?.sub})`);
    idToken = tokens.id_token;
    const userInfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    check(userInfo.preferred_username === demo.user.username, `UserInfo names ${demo.user.username}`);
    console.log(
      '\nID token claims:',
      claims,
      '\nUserInfo:',
      userInfo,
      `\n(access token ${short(tokens.access_token)})`
    );
    // A refresh returns a new ID token of the same sign-in (Core §12.2), which openid-client checks against the first.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    check(refreshed.claims()?.sub === claims.sub, 'a refresh returns an ID token of the same user');
    check(refreshed.claims()?.auth_time === claims.auth_time, 'of the same sign-in (auth_time)');
    show(
      res,
      `Signed in as ${userInfo.name ?? userInfo.preferred_username}`,
      `<p>The ID token says:</p><pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>` +
        `<p>UserInfo says:</p><pre>${escapeHtml(JSON.stringify(userInfo, null, 2))}</pre>` +
        '<p><a id="sign-out" href="/logout">Sign out</a> (of this app and of the gateway)</p>'
    );
  },

  '/logout': (req, res) => {
    check(idToken, 'someone is signed in');
    pending = { state: oidc.randomState() };
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: demo.examplesPostLogoutRedirectUri,
      state: pending.state
    });
    const shown = new URL(url);
    shown.searchParams.set('id_token_hint', short(idToken));
    console.log(`\nRedirecting the browser to the end_session_endpoint:\n    ${shown}`);
    res.writeHead(302, { Location: url.toString() }).end();
  },

  '/signed-out': (req, res, url) => {
    check(pending && url.searchParams.get('state') === pending.state, 'the gateway came back with our state');
    finish(
      res,
      true,
      'Signed out',
      '<p>The gateway ended its session and sent the browser back here. The sample has exited.</p>'
    );
  }
});
