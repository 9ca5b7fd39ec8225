/**
 * `npm start`: a demo gateway on EG's emulated in-memory store, with the
 * plugin, an echo backend, and a seeded user, scopes and confidential app.
 * Prints how to try every flow the plugin offers.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { AdminClient, SeededWorld, seedWorld } from './admin-client';
import { startEchoBackend } from './echo-backend';

const ROOT = path.resolve(__dirname, '..', '..');
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? 9876);
const backendPort = Number(process.env.DEMO_BACKEND_PORT ?? 8081);
const base = `http://localhost:${httpPort}`;
const callbackUrl = `http://127.0.0.1:${backendPort}/callback`;

/** One PKCE pair for the printed authorize URL and the matching exchange. */
const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function exchangeCommand(world: SeededWorld, code: string): string {
  return `curl -s -u '${world.app.id}:${world.app.secret}' -d grant_type=authorization_code -d code=${code} ` +
    `-d redirect_uri=${callbackUrl} -d code_verifier=${verifier} ${base}/oauth2/token`;
}

/** The demo client's redirect endpoint: shows the code and the command that exchanges it. */
function callbackPage(world: () => SeededWorld | undefined) {
  return (params: URLSearchParams) => {
    const seeded = world();
    const code = params.get('code');
    const body = code && seeded
      ? `<p>The gateway sent an authorization code (valid 60 seconds, once):</p><pre>${escape(code)}</pre>
         <p>Exchange it for tokens:</p><pre>${escape(exchangeCommand(seeded, code))}</pre>`
      : `<p>The gateway answered with an error:</p><pre>${escape(params.toString())}</pre>`;
    return `<!doctype html><meta charset="utf-8"><title>Demo client callback</title>
      <style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;word-break:break-all;background:#f3f5f9;padding:1rem;border-radius:8px}</style>
      <h1>Demo client: callback</h1>${body}<p>state: <code>${escape(params.get('state') ?? '')}</code></p>`;
  };
}

function instructions(world: SeededWorld): string {
  const client = `-u '${world.app.id}:${world.app.secret}'`;
  const json = (field: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0)).${field}'`;
  const authorizeUrl = `${base}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code', client_id: world.app.id, redirect_uri: callbackUrl, scope: 'read write', state: 'demo-state',
    code_challenge: challenge, code_challenge_method: 'S256'
  })}`;
  return `
========================================================================
 express-gateway-plugin-oauth2 demo
   gateway      ${base}            (EG admin API: http://127.0.0.1:${adminPort})
   echo backend http://127.0.0.1:${backendPort}   behind /api (any token) and /api-write (scope "write")
   client       client_id=${world.app.id}
                client_secret=${world.app.secret}   scopes: ${world.app.scopes.join(' ')}
                redirect URI ${callbackUrl}
   user         ${world.user.username} / ${world.user.password}
========================================================================

# Authorization code + PKCE in a browser: open this URL, sign in as ${world.user.username}, allow.
# The demo client's callback page then shows the code and the curl line that exchanges it:
${authorizeUrl}
# (the exchange, once you have the code)
${exchangeCommand(world, '<code>')}

# Client credentials grant: get a token and call the protected API
TOKEN=$(curl -s ${client} -d grant_type=client_credentials ${base}/oauth2/token | ${json('access_token')})
curl -s -H "Authorization: Bearer $TOKEN" ${base}/api

# Password grant (also returns a refresh token)
curl -s ${client} -d grant_type=password -d username=${world.user.username} -d password=${world.user.password} -d 'scope=read write' ${base}/oauth2/token

# Refresh token grant (rotates: the old refresh token stops working)
REFRESH=$(curl -s ${client} -d grant_type=password -d username=${world.user.username} -d password=${world.user.password} ${base}/oauth2/token | ${json('refresh_token')})
curl -s ${client} -d grant_type=refresh_token -d refresh_token=$REFRESH -d scope=read ${base}/oauth2/token

# client_secret_post instead of HTTP Basic
curl -s -d grant_type=client_credentials -d client_id=${world.app.id} -d client_secret=${world.app.secret} ${base}/oauth2/token

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

# Operator: revoke every token of the app (EG admin API)
curl -s -X DELETE http://127.0.0.1:${adminPort}/oauth2/apps/${world.app.id}/tokens

# Server metadata (RFC 8414) and the public signing keys (JWKS)
curl -s ${base}/.well-known/oauth-authorization-server
curl -s ${base}/oauth2/jwks
# JWT access tokens (RFC 9068) instead of opaque ones: DEMO_TOKEN_FORMAT=jwt npm start

# Sign out of the login session: ${base}/oauth2/logout
Press Ctrl+C to stop.
`;
}

/** A fresh P-256 key for JWT access tokens, in a private temporary file that goes when the demo stops. */
function demoSigningKeyFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-demo-'));
  const file = path.join(dir, 'signing-key.pem');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
  return file;
}

async function main(): Promise<void> {
  let world: SeededWorld | undefined;
  const backend = await startEchoBackend(backendPort, '127.0.0.1', callbackPage(() => world));
  Object.assign(process.env, {
    DEMO_KEY_FILE: demoSigningKeyFile(),
    EG_CONFIG_DIR: path.join(ROOT, 'demo', 'config'),
    EG_DISABLE_CONFIG_WATCH: 'true',
    OAUTH2_PLUGIN_PACKAGE: path.join(ROOT, 'dist', 'manifest.js'),
    DEMO_HTTP_PORT: String(httpPort),
    DEMO_ADMIN_PORT: String(adminPort),
    DEMO_BACKEND_URL: backend.url
  });
  // Loaded only now: EG reads its configuration when required.
  const gateway = require('express-gateway');
  await gateway().load(process.env.EG_CONFIG_DIR).run();
  world = await seedWorld(new AdminClient(`http://127.0.0.1:${adminPort}`), { redirectUri: callbackUrl });
  process.stdout.write(instructions(world));
}

main().catch((err) => {
  const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(busy
    ? `demo failed to start: ${(err as Error).message}; set DEMO_HTTP_PORT, DEMO_ADMIN_PORT or DEMO_BACKEND_PORT\n`
    : `demo failed to start: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
