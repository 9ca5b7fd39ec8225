/**
 * `npm start`: a demo gateway on EG's emulated in-memory store, with the
 * plugin (every grant enabled), an echo backend, and a seeded user, scopes, a
 * confidential app and a public one. Writes demo.json for the sample clients
 * in examples/ and prints how to try every flow the plugin offers.
 */
import { createHash, randomBytes } from 'crypto';
import { AdminClient, seedWorld } from '../support/admin-client';
import { openDemoDir } from './demo-dir';
import type { DemoJson } from './demo-json';
import { demoConfigEnv } from './demo-env';
import { clusterConfigDir } from './demo-cluster';
import { generateDemoKeys } from './demo-keys';
import { startEchoBackend } from '../support/echo-backend';
import { PortInUse, requireFreePort } from './free-port';
import { DemoContext, exchangeCommand, instructions } from './instructions';
import { startMcpServer } from './mcp-server';
import { fapi2ConfigDir, seedFapiClient } from './demo-fapi';

const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? 9876);
const backendPort = Number(process.env.DEMO_BACKEND_PORT ?? 8081);
const examplesPort = Number(process.env.DEMO_EXAMPLES_PORT ?? 8082);
const mcpPort = Number(process.env.DEMO_MCP_PORT ?? 8083);
const base = `http://localhost:${httpPort}`;
const callbackUrl = `http://127.0.0.1:${backendPort}/callback`;
const examplesRedirectUri = `http://127.0.0.1:${examplesPort}/callback`;
/** Where examples/oidc-login.mjs has the user come back after signing out (OpenID Connect RP-Initiated Logout). */
const examplesPostLogoutRedirectUri = `http://127.0.0.1:${examplesPort}/signed-out`;

const verifier = randomBytes(32).toString('base64url');
const pkce = { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo client's redirect endpoint: shows the code and the command that exchanges it. */
function callbackPage(context: () => DemoContext | undefined) {
  return (params: URLSearchParams) => {
    const seeded = context();
    const code = params.get('code');
    const body =
      code && seeded
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
  await requireFreePort(httpPort, 'DEMO_HTTP_PORT');
  await requireFreePort(adminPort, 'DEMO_ADMIN_PORT');
  const backend = await startEchoBackend(
    backendPort,
    '127.0.0.1',
    callbackPage(() => context)
  ).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? new PortInUse(backendPort, 'DEMO_BACKEND_PORT') : err;
  });
  const mcp = await startMcpServer(mcpPort).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? new PortInUse(mcpPort, 'DEMO_MCP_PORT') : err;
  });
  Object.assign(process.env, demoConfigEnv(keys, { http: httpPort, admin: adminPort }, backend.url, mcp.url), {
    EG_DISABLE_CONFIG_WATCH: 'true'
  });
  const cluster = process.env.DEMO_REDIS_CLUSTER;
  if (cluster) process.env.EG_CONFIG_DIR = clusterConfigDir(demoDir, cluster);
  const profile = process.env.DEMO_PROFILE;
  if (profile !== undefined && profile !== 'fapi2') throw new Error(`DEMO_PROFILE must be fapi2, not "${profile}"`);
  if (profile === 'fapi2') {
    if (cluster) throw new Error('DEMO_PROFILE and DEMO_REDIS_CLUSTER cannot be combined');
    process.env.EG_CONFIG_DIR = fapi2ConfigDir(demoDir);
  }
  // Loaded only now: EG reads its configuration when required.
  const gateway = require('express-gateway');
  await gateway().load(process.env.EG_CONFIG_DIR).run();

  const admin = new AdminClient(`http://127.0.0.1:${adminPort}`);
  const world = await seedWorld(admin, {
    redirectUri: callbackUrl,
    redirectUris: [examplesRedirectUri],
    postLogoutRedirectUris: [examplesPostLogoutRedirectUri]
  });
  // An email address for OpenID Connect's email scope (EG's user model declares the property).
  await admin.updateUser(world.user.id, { email: `${world.user.username}@example.com` });
  // Token exchange (RFC 8693): the demo client may exchange its users' tokens for the echo backend's audience.
  await admin.updateApp(world.app.id, { tokenExchangeAudiences: 'https://echo.demo.internal' });
  // A TV has no browser to come back to: no redirect URI, and only the grants of the device flow.
  const device = await admin.registerClient(
    {
      name: 'Demo TV',
      userId: world.developer.id,
      public: 'true',
      grantTypes: 'urn:ietf:params:oauth:grant-type:device_code refresh_token'
    },
    world.app.scopes
  );
  const fapiClient =
    profile === 'fapi2'
      ? await seedFapiClient(admin, demoDir, {
          userId: world.developer.id,
          redirectUri: examplesRedirectUri,
          scopes: world.app.scopes
        })
      : undefined;
  const demo: DemoJson = {
    ...(fapiClient ? { profile: 'fapi2' as const, fapiClient } : {}),
    gateway: base,
    admin: admin.baseUrl,
    client: { id: world.app.id, secret: world.app.secret, scopes: world.app.scopes },
    publicClient: { id: device.id, scopes: world.app.scopes },
    user: { username: world.user.username, password: world.user.password },
    examplesRedirectUri,
    examplesPostLogoutRedirectUri,
    jwtIssuer: {
      issuer: keys.assertionIssuer.issuer,
      kid: keys.assertionIssuer.kid,
      alg: keys.assertionIssuer.alg,
      privateKeyFile: keys.assertionIssuer.privateKeyFile
    },
    samlIdp: { entityId: keys.samlIdp.entityId, privateKeyFile: keys.samlIdp.privateKeyFile }
  };
  context = {
    demo,
    demoJsonFile: demoDir.writeJson(demo),
    backendUrl: backend.url,
    mcpUrl: mcp.url,
    callbackUrl,
    pkce
  };
  process.stdout.write(instructions(context));
}

main().catch((err) => {
  process.stderr.write(
    err instanceof PortInUse
      ? `demo failed to start: ${err.message}\n`
      : `demo failed to start: ${err instanceof Error ? err.stack : err}\n`
  );
  process.exit(1);
});
