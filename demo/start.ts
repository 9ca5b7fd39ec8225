/**
 * `npm start`: a demo gateway on EG's emulated in-memory store, with the
 * plugin, an echo backend, and a seeded user, scopes and confidential app.
 * Prints the curl lines to try every flow the plugin offers.
 */
import path from 'path';
import { AdminClient, SeededWorld, seedWorld } from './admin-client';
import { startEchoBackend } from './echo-backend';

const ROOT = path.resolve(__dirname, '..', '..');
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? 9876);
const backendPort = Number(process.env.DEMO_BACKEND_PORT ?? 8081);

function instructions(world: SeededWorld, base: string): string {
  const client = `-u '${world.app.id}:${world.app.secret}'`;
  const json = (field: string) => `node -pe 'JSON.parse(require("fs").readFileSync(0)).${field}'`;
  return `
========================================================================
 express-gateway-plugin-oauth2 demo
   gateway      ${base}            (EG admin API: http://127.0.0.1:${adminPort})
   echo backend http://127.0.0.1:${backendPort}   behind /api (any token) and /api-write (scope "write")
   client       client_id=${world.app.id}
                client_secret=${world.app.secret}   scopes: ${world.app.scopes.join(' ')}
   user         ${world.user.username} / ${world.user.password}
========================================================================

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

Press Ctrl+C to stop.
`;
}

async function main(): Promise<void> {
  const backend = await startEchoBackend(backendPort);
  Object.assign(process.env, {
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
  const world = await seedWorld(new AdminClient(`http://127.0.0.1:${adminPort}`));
  process.stdout.write(instructions(world, `http://localhost:${httpPort}`));
}

main().catch((err) => {
  process.stderr.write(`demo failed to start: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
