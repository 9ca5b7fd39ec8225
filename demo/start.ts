/**
 * `npm start`: a demo gateway on EG's emulated in-memory store, with the
 * plugin (every grant enabled), an echo backend, and a seeded user, scopes, a
 * confidential app and a public one. Writes demo.json for the sample clients
 * in examples/ and prints how to try every flow the plugin offers.
 */
import { createHash, randomBytes } from 'crypto';
import path from 'path';
import { AdminClient, seedWorld } from './admin-client';
import { openDemoDir } from './demo-dir';
import type { DemoJson } from './demo-json';
import { generateDemoKeys } from './demo-keys';
import { startEchoBackend } from './echo-backend';
import { DemoContext, exchangeCommand, instructions } from './instructions';

const ROOT = path.resolve(__dirname, '..', '..');
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? 9876);
const backendPort = Number(process.env.DEMO_BACKEND_PORT ?? 8081);
const examplesPort = Number(process.env.DEMO_EXAMPLES_PORT ?? 8082);
const base = `http://localhost:${httpPort}`;
const callbackUrl = `http://127.0.0.1:${backendPort}/callback`;
const examplesRedirectUri = `http://127.0.0.1:${examplesPort}/callback`;

const verifier = randomBytes(32).toString('base64url');
const pkce = { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo client's redirect endpoint: shows the code and the command that exchanges it. */
function callbackPage(context: () => DemoContext | undefined) {
  return (params: URLSearchParams) => {
    const seeded = context();
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

async function main(): Promise<void> {
  let context: DemoContext | undefined;
  const demoDir = openDemoDir();
  const keys = generateDemoKeys(demoDir);
  const backend = await startEchoBackend(backendPort, '127.0.0.1', callbackPage(() => context));
  Object.assign(process.env, {
    DEMO_KEY_FILE: keys.signingKeyFile,
    DEMO_ASSERTION_ISSUER: keys.assertionIssuer.issuer,
    DEMO_ASSERTION_KID: keys.assertionIssuer.kid,
    DEMO_ASSERTION_KEY_FILE: keys.assertionIssuer.publicKeyFile,
    DEMO_SAML_ENTITY_ID: keys.samlIdp.entityId,
    DEMO_SAML_CERT_FILE: keys.samlIdp.publicKeyFile,
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

  const admin = new AdminClient(`http://127.0.0.1:${adminPort}`);
  const world = await seedWorld(admin, { redirectUri: callbackUrl, redirectUris: [examplesRedirectUri] });
  const device = await admin.registerClient({ name: 'Demo TV', userId: world.developer.id, public: 'true' }, world.app.scopes);
  const demo: DemoJson = {
    gateway: base,
    admin: admin.baseUrl,
    client: { id: world.app.id, secret: world.app.secret, scopes: world.app.scopes },
    publicClient: { id: device.id, scopes: world.app.scopes },
    user: { username: world.user.username, password: world.user.password },
    examplesRedirectUri,
    jwtIssuer: { issuer: keys.assertionIssuer.issuer, kid: keys.assertionIssuer.kid, alg: keys.assertionIssuer.alg, privateKeyFile: keys.assertionIssuer.privateKeyFile },
    samlIdp: { entityId: keys.samlIdp.entityId, privateKeyFile: keys.samlIdp.privateKeyFile }
  };
  context = { demo, demoJsonFile: demoDir.writeJson(demo), backendUrl: backend.url, callbackUrl, pkce };
  process.stdout.write(instructions(context));
}

main().catch((err) => {
  const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(busy
    ? `demo failed to start: ${(err as Error).message}; set DEMO_HTTP_PORT, DEMO_ADMIN_PORT or DEMO_BACKEND_PORT\n`
    : `demo failed to start: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
