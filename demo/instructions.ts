import type { DemoJson } from './demo-json';

/** What the printed lines need besides demo.json. */
export interface DemoContext {
  demo: DemoJson;
  demoJsonFile: string;
  backendUrl: string;
  /** The demo's MCP server, behind /mcp. */
  mcpUrl: string;
  /** The demo client's callback page on the echo backend (EG's redirectUri of the confidential app). */
  callbackUrl: string;
  /** One PKCE pair for the printed authorize URL and the matching exchange. */
  pkce: { verifier: string; challenge: string };
}

/** The curl line exchanging an authorization code of the printed authorize URL. */
export function exchangeCommand(context: DemoContext, code: string): string {
  const { demo, callbackUrl, pkce } = context;
  return (
    `curl -s -u '${demo.client.id}:${demo.client.secret}' -d grant_type=authorization_code -d code=${code} ` +
    `-d redirect_uri=${callbackUrl} -d code_verifier=${pkce.verifier} ${demo.gateway}/oauth2/token`
  );
}

const SAMPLES = [
  'authorization-code-pkce',
  'implicit',
  'password',
  'client-credentials',
  'refresh-token',
  'jwt-bearer',
  'saml2-bearer',
  'device',
  'revoke',
  'introspect',
  'tokeninfo',
  'protected-api',
  'external-server',
  'janus-migration',
  'oidc-login',
  'mcp-agent'
];

/** How to try every flow: printed by `npm start` once the gateway is seeded. */
export function instructions(context: DemoContext): string {
  const { demo } = context;
  if (demo.profile === 'fapi2') return fapi2Instructions(context);
  const base = demo.gateway;
  const client = `-u '${demo.client.id}:${demo.client.secret}'`;
  const user = demo.user;
  const loopback = base.replace('//localhost:', '//127.0.0.1:'); // upstream URLs: https, or http on loopback
  const json = (field: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0)).${field}'`;
  const authorizeUrl = `${base}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: demo.client.id,
    redirect_uri: context.callbackUrl,
    scope: 'read write',
    state: 'demo-state',
    code_challenge: context.pkce.challenge,
    code_challenge_method: 'S256'
  })}`;
  return `
========================================================================
 express-gateway-plugin-oauth2 demo
   gateway      ${base}            (EG admin API: ${demo.admin})
   echo backend ${context.backendUrl}   behind /api (any token) and /api-write (scope "write")
   MCP server   ${context.mcpUrl}   behind ${base}/mcp (scope "read", tokens asked for it only)
   client       client_id=${demo.client.id}
                client_secret=${demo.client.secret}   scopes: ${demo.client.scopes.join(' ')}
                redirect URIs ${context.callbackUrl} ${demo.examplesRedirectUri}
   public app   client_id=${demo.publicClient.id}   (Demo TV: no secret and no redirect URI, for the device flow)
   user         ${user.username} / ${user.password}
   samples      ${context.demoJsonFile}   (what examples/*.mjs read)
========================================================================

# Sample clients, one per flow (see examples/README.md), for instance:
${SAMPLES.map((name) => `node examples/${name}.mjs`).join('\n')}
# FAPI 2.0 (pushed request, private_key_jwt, DPoP, PKCE) needs the demo started with DEMO_PROFILE=fapi2 npm start:
node examples/fapi2.mjs

# Authorization code + PKCE in a browser: open this URL, sign in as ${user.username}, allow.
# The demo client's callback page then shows the code and the curl line that exchanges it:
${authorizeUrl}
# (the exchange, once you have the code)
${exchangeCommand(context, '<code>')}

# Register an app of your own in the browser: open ${base}/oauth2/apps, sign in as ${user.username},
# fill in the form (redirect URI ${context.callbackUrl} reuses the demo callback page)
# and copy the client id and secret shown once; put that client_id in the authorize URL above
# (the callback page's exchange line names the demo client: swap in your id and secret).

# The apps ${user.username} gave access to, and "Revoke access" (its tokens stop on every instance):
# open ${base}/oauth2/connected-apps once you have allowed the demo client above

# Client credentials grant: get a token and call the protected API
TOKEN=$(curl -s ${client} -d grant_type=client_credentials ${base}/oauth2/token | ${json('access_token')})
curl -s -H "Authorization: Bearer $TOKEN" ${base}/api

# Password grant (also returns a refresh token)
curl -s ${client} -d grant_type=password -d username=${user.username} -d password=${user.password} -d 'scope=read write' ${base}/oauth2/token

# Refresh token grant (rotates: the old refresh token stops working)
REFRESH=$(curl -s ${client} -d grant_type=password -d username=${user.username} -d password=${user.password} ${base}/oauth2/token | ${json('refresh_token')})
curl -s ${client} -d grant_type=refresh_token -d refresh_token=$REFRESH -d scope=read ${base}/oauth2/token

# client_secret_post instead of HTTP Basic
curl -s -d grant_type=client_credentials -d client_id=${demo.client.id} -d client_secret=${demo.client.secret} ${base}/oauth2/token

# JWT bearer grant (RFC 7523): the demo trusts the issuer ${demo.jwtIssuer.issuer} (key ${demo.jwtIssuer.kid});
# examples/jwt-bearer.mjs signs an assertion for ${user.username} with its private key and exchanges it
node examples/jwt-bearer.mjs

# SAML 2.0 bearer grant (RFC 7522): the demo trusts the IdP ${demo.samlIdp.entityId};
# examples/saml2-bearer.mjs signs an assertion for ${user.username} with its private key and exchanges it
node examples/saml2-bearer.mjs

# Device authorization grant (RFC 8628): the device asks for a code...
curl -s -d client_id=${demo.publicClient.id} -d scope=read ${base}/oauth2/device_authorization
# ...you open verification_uri_complete in a browser, sign in and allow, while the device polls:
curl -s -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code=<device_code> -d client_id=${demo.publicClient.id} ${base}/oauth2/token

# Scopes: a read-only token is refused on /api-write (403 insufficient_scope)
READ=$(curl -s ${client} -d grant_type=client_credentials -d scope=read ${base}/oauth2/token | ${json('access_token')})
curl -si -H "Authorization: Bearer $READ" ${base}/api-write

# A bad token gets a 401 with a Bearer challenge
curl -si -H "Authorization: Bearer not-a-token" ${base}/api

# Branching by scope (oauth2-scopes condition): /api-branch lets only write tokens through
curl -si -H "Authorization: Bearer $READ" ${base}/api-branch

# Token info: the holder of a token asks what it is
curl -s -H "Authorization: Bearer $TOKEN" ${base}/oauth2/tokeninfo

# Introspection (RFC 7662): a client asks about its own tokens (any token, with the "introspection" scope)
curl -s ${client} -d token=$TOKEN ${base}/oauth2/introspect

# Revocation (RFC 7009): afterwards the token is refused, and introspection says {"active":false}
curl -si ${client} -d token=$TOKEN ${base}/oauth2/revoke
curl -si -H "Authorization: Bearer $TOKEN" ${base}/api

# Operator: what ${user.username} gave each app, what the app holds, and revoke every token of the app (EG admin API)
curl -s ${demo.admin}/oauth2/users/${user.username}/grants
curl -s ${demo.admin}/oauth2/apps/${demo.client.id}/grants
curl -s -X DELETE ${demo.admin}/oauth2/apps/${demo.client.id}/tokens

# External authorization server (as Janus): register one with one admin API call (the demo's own
# endpoints stand in for a partner's); without a restart the gateway proxies its token endpoint and
# /api-partner (policy param server: demo-partner) accepts its tokens. examples/external-server.mjs does it all.
curl -s -X POST ${demo.admin}/oauth2/servers -H 'Content-Type: application/json' -d '{"name":"demo-partner","endpoints":{"token":{"url":"${loopback}/oauth2/token"}},"allowedGrants":["password"],"secrets":{"${demo.client.id}":"${demo.client.secret}"},"tokenStrategy":{"name":"introspection","introspection":{"endpoint":"${loopback}/oauth2/introspect","clientId":"${demo.client.id}","clientSecret":"${demo.client.secret}"}}}'
PARTNER=$(curl -s -d grant_type=password -d username=${user.username} -d password=${user.password} -d client_id=${demo.client.id} ${base}/oauth2/servers/demo-partner/token | ${json('access_token')})
curl -s -H "Authorization: Bearer $PARTNER" ${base}/api-partner
curl -s -X DELETE ${demo.admin}/oauth2/servers/demo-partner

# Coming from Janus: the same registry in Janus's shape at /oauth/servers, each endpoint on its listen_path on
# this port (here the demo's own token endpoint stands in; examples/janus-migration.mjs runs seed 000's GET /auth/token)
curl -s -X POST ${demo.admin}/oauth/servers -H "Authorization:Bearer yourToken" -H 'Content-Type: application/json' -d '{"name":"janus-demo","oauth_endpoints":{"token":{"listen_path":"/auth/token","upstreams":{"targets":[{"target":"${loopback}/oauth2/token"}]},"strip_path":true,"methods":["POST"]}},"token_strategy":{"name":"jwt","settings":[{"alg":"HS256","key":"a-partner-hs256-key-of-at-least-32-bytes"}]}}'
curl -s -X GET ${demo.admin}/oauth/servers -H "Authorization:Bearer yourToken" -H 'Content-Type: application/json'
curl -s ${client} -d grant_type=client_credentials ${base}/auth/token
curl -s -X DELETE ${demo.admin}/oauth/servers/janus-demo

# Dynamic client registration (RFC 7591, 7592): the operator issues an initial access token for ${user.username}...
IAT=$(curl -s -X POST ${demo.admin}/oauth2/registration-tokens -H 'Content-Type: application/json' -d '{"owner":"${user.username}"}' | ${json('initial_access_token')})
# ...a client registers itself with it (the answer holds its client_id, client_secret and registration access token)
curl -s -X POST ${base}/oauth2/register -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' -d '{"client_name":"Self-registered","grant_types":["client_credentials"],"scope":"read"}'
# read, change or delete it: GET, PUT or DELETE its registration_client_uri with -H "Authorization: Bearer <registration_access_token>"

# OpenID Connect (oidc.enabled in the demo): any relying party library discovers the gateway here...
curl -s ${base}/.well-known/openid-configuration
# ...signs ${user.username} in with scope=openid (the authorize URL above, with scope=openid%20profile%20email and a
# nonce): the code's exchange then returns an id_token beside the access token, whose claims UserInfo answers:
OIDC=$(curl -s ${client} -d grant_type=password -d username=${user.username} -d password=${user.password} -d 'scope=openid profile' ${base}/oauth2/token | ${json('access_token')})
curl -s -H "Authorization: Bearer $OIDC" ${base}/oauth2/userinfo
# Pairwise subjects (oidc.pairwiseSecret in the demo): once the demo app is pairwise (undo: "public"), its new tokens
# name ${user.username} by a sub of its own sector (its redirect URIs are on loopback), never by the user id
curl -s -X PUT ${demo.admin}/apps/${demo.client.id} -H 'Content-Type: application/json' -d '{"subjectType":"pairwise"}'

# Protected resources (RFC 9728) and resource indicators (RFC 8707): each 401 names the API's metadata, which names
# this authorization server; a token asked for /api (resource=...) is refused by /api-branch and /mcp
curl -si ${base}/mcp
curl -s ${base}/.well-known/oauth-protected-resource/mcp
BOUND=$(curl -s ${client} -d grant_type=client_credentials -d resource=${base}/api ${base}/oauth2/token | ${json('access_token')})
curl -si -H "Authorization: Bearer $BOUND" ${base}/api-branch
# An AI agent on the MCP SDK, knowing only ${base}/mcp, finds and does everything else: node examples/mcp-agent.mjs

# Token exchange (RFC 8693) at the gateway: /api-exchange sends the echo backend a token meant for it alone
# (its authorization header is not $TOKEN); the demo client may also exchange a token itself for that audience
curl -s -H "Authorization: Bearer $TOKEN" ${base}/api-exchange
USER_TOKEN=$(curl -s ${client} -d grant_type=password -d username=${user.username} -d password=${user.password} -d scope=read ${base}/oauth2/token | ${json('access_token')})
curl -s ${client} -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange -d subject_token=$USER_TOKEN -d subject_token_type=urn:ietf:params:oauth:token-type:access_token -d audience=https://echo.demo.internal ${base}/oauth2/token

# Server metadata (RFC 8414) and the public signing keys (JWKS)
curl -s ${base}/.well-known/oauth-authorization-server
curl -s ${base}/oauth2/jwks
# JWT access tokens (RFC 9068) instead of opaque ones: DEMO_TOKEN_FORMAT=jwt npm start

# Sign out of the login session: ${base}/oauth2/logout
Press Ctrl+C to stop.
`;
}

/** What `DEMO_PROFILE=fapi2 npm start` prints: under the FAPI 2.0 profile, the FAPI client's flow is the one way in. */
function fapi2Instructions({ demo, backendUrl }: DemoContext): string {
  return `
========================================================================
 express-gateway-plugin-oauth2 demo, FAPI 2.0 Security Profile (profile: fapi2)
   gateway      ${demo.gateway}            (EG admin API: ${demo.admin})
   echo backend ${backendUrl}   behind /api
   FAPI client  client_id=${demo.fapiClient?.id}   private_key_jwt, key ${demo.fapiClient?.privateKeyFile}
   user         ${demo.user.username} / ${demo.user.password}
========================================================================

# Pushed request, private_key_jwt, DPoP and PKCE (oauth4webapi), in a browser: run it, open the URL it prints,
# sign in as ${demo.user.username}, allow:
node examples/fapi2.mjs

# A bearer client is refused, saying why (FAPI 2.0: private_key_jwt or mutual TLS, and bound tokens only):
curl -s -u '${demo.client.id}:${demo.client.secret}' -d grant_type=client_credentials ${demo.gateway}/oauth2/token

Press Ctrl+C to stop.
`;
}
