import { expect } from 'chai';
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { AdminClient } from '../../support/admin-client';
import { startFakeServer, FakeServer } from '../helpers/fake-server';
import { GatewayFolder, npm, ROOT, StartedFolderGateway } from '../helpers/gateway-folder';
import { freePort } from '../../support/gateway';
import { basic, postForm, request } from '../../support/http';
import { oncePerRun } from '../helpers/once-per-run';

const run = promisify(execFile);

/** The README's "Installing into an existing gateway" configuration, on this folder's ports. */
function configure(folder: GatewayFolder, ports: { http: number; admin: number }, backend: string): void {
  folder.resetConfig();
  const system = fs.readFileSync(folder.file('config/system.config.yml'), 'utf8');
  folder.write(
    'config/system.config.yml',
    `${system}
plugins:
  oauth2:
    package: express-gateway-plugin-oauth2
    issuer: http://127.0.0.1:${ports.http}
`
  );
  const gateway = fs
    .readFileSync(folder.file('config/gateway.config.yml'), 'utf8')
    .replace(
      /^apiEndpoints:.*$/m,
      `apiEndpoints:
  orders:
    paths: ['/orders', '/orders/*']
    scopes: ['orders:read']`
    )
    .replace(
      /^serviceEndpoints:.*$/m,
      `serviceEndpoints:
  ordersService:
    url: ${backend}`
    )
    .replace(
      /^pipelines:[\s\S]*$/m,
      `pipelines:
  orders:
    apiEndpoints: [orders]
    policies:
      - oauth2:
      - proxy:
          - action:
              serviceEndpoint: ordersService
`
    );
  folder.write('config/gateway.config.yml', gateway);
  folder.usePorts(ports);
}

type Client = { id: string; secret: string };

/** The README's `npx eg` lines, run in the gateway folder against the running gateway. */
async function clientFromCli(folder: GatewayFolder): Promise<Client> {
  await folder.eg(['scopes', 'create', 'orders:read', 'orders:write']);
  await folder.eg(['users', 'create', '-p', 'username=dev', '-p', 'firstname=Dev', '-p', 'lastname=Team']);
  const app = JSON.parse(
    await folder.eg([
      'apps',
      'create',
      '-u',
      'dev',
      '-p',
      'name=orders-web',
      '-p',
      'redirectUri=https://app.example.com/cb'
    ])
  );
  const credential = JSON.parse(
    await folder.eg([
      'credentials',
      'create',
      '-c',
      app.id,
      '-t',
      'oauth2',
      '-p',
      'scopes=["orders:read","orders:write"]'
    ])
  );
  return { id: app.id, secret: credential.secret };
}

/** The same through EG's admin API, quicker. */
async function clientFromAdminApi(gateway: StartedFolderGateway): Promise<Client> {
  const admin = new AdminClient(gateway.adminUrl);
  await admin.createScopes(['orders:read']);
  const dev = await admin.createUser({ username: 'dev', firstname: 'Dev', lastname: 'Team' });
  return admin.registerClient({ name: 'orders-web', userId: dev.id }, ['orders:read']);
}

/** The whole operator path once the package is installed: start, create a client, get a token, call the API. */
async function provesTheInstall(folder: GatewayFolder, backend: FakeServer, viaCli = false): Promise<void> {
  const ports = { http: await freePort(), admin: await freePort() };
  configure(folder, ports, backend.url);
  let gateway: StartedFolderGateway | undefined;
  try {
    gateway = await folder.start(ports);
    expect(gateway.output()).to.match(
      /express-gateway-plugin-oauth2 \d+\.\d+\.\d+ running: issuer http:\/\/127\.0\.0\.1:\d+, store emulated/
    );
    const client = viaCli ? await clientFromCli(folder) : await clientFromAdminApi(gateway);

    const token = await postForm(
      `${gateway.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { Authorization: basic(client.id, client.secret) }
    );
    expect(token.status, token.text).to.equal(200);
    const called = await request(`${gateway.url}/orders/42`, {
      headers: { Authorization: `Bearer ${token.json.access_token}` }
    });
    expect(called.status, called.text).to.equal(200);
    expect(backend.received.at(-1)!.headers['eg-consumer-id']).to.equal(client.id);
    // The plugin's challenge, not EG's built-in policy's bare 401.
    const refused = await request(`${gateway.url}/orders/42`, { headers: { Authorization: 'Bearer not-a-token' } });
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.match(/^Bearer realm="[^"]+", error="invalid_token"/);
  } finally {
    await gateway?.stop();
  }
}

describe('the package, installed the three ways an operator would', function () {
  this.timeout(600000);
  before(function () {
    oncePerRun(this);
  });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-pack-'));
  let tarball: string;
  let files: string[];
  let folder: GatewayFolder;
  let backend: FakeServer;

  before(async function () {
    // What is installed does not depend on the store: once, on the emulated one.
    if (process.env.REDIS_URL) return this.skip();
    // npm test has just built dist/; --ignore-scripts keeps npm pack from rebuilding it (with the product alone) under
    // the suite.
    const [packed] = JSON.parse(
      await npm(ROOT, ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch])
    ) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(scratch, packed.filename);
    files = packed.files.map((file) => file.path);
    folder = await GatewayFolder.create();
    backend = await startFakeServer(() => ({ body: { ok: true } }));
  });

  after(async () => {
    await backend?.close();
    folder?.remove();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('ships the product alone: no test, bench or demo file, no source map, but the views and the check command', () => {
    expect(files.filter((file) => /^dist\/(test|bench|demo)\//.test(file) || file.endsWith('.map'))).to.deep.equal([]);
    expect(files).to.include.members([
      'dist/manifest.js',
      'dist/manifest.d.ts',
      'views/login.pug',
      'views/assets/style.css',
      'dist/bin/express-gateway-plugin-oauth2.js',
      'README.md'
    ]);
    expect(files.filter((file) => !/^(dist\/|views\/|README\.md$|package\.json$|LICENSE$)/.test(file))).to.deep.equal(
      []
    );
  });

  it('installs from the tarball npm pack makes, and the gateway issues tokens and guards the API (consumers made with npx eg)', async () => {
    await folder.install(tarball);
    await provesTheInstall(folder, backend, true);
    await folder.uninstall();
  });

  it('installs from git, its prepare script building dist/ (the clone has none)', async () => {
    // The committed HEAD of this checkout; on CI (a clean clone) the commit under test.
    const installed = await folder.install(`git+file://${ROOT}`);
    expect(fs.lstatSync(installed).isSymbolicLink()).to.equal(false);
    expect(fs.existsSync(path.join(installed, 'dist', 'test'))).to.equal(false);
    await provesTheInstall(folder, backend);
    await folder.uninstall();
  });

  it("installs by path, and loads this checkout's dist/", async () => {
    const installed = await folder.install(ROOT);
    expect(fs.realpathSync(installed)).to.equal(fs.realpathSync(ROOT));
    await provesTheInstall(folder, backend);
    await folder.uninstall();
  });

  it('ships type declarations that compile with none of its devDependencies (no @types/express)', async () => {
    await folder.install(tarball);
    folder.write(
      'uses-types.ts',
      [
        "import manifest = require('express-gateway-plugin-oauth2');",
        "import type { OAuth2PluginSettings, OAuth2PolicyParameters } from 'express-gateway-plugin-oauth2/dist/types';",
        "const settings: OAuth2PluginSettings = { issuer: 'https://api.example.com', accessToken: { ttl: 600, format: 'jwt' }, grants: ['client_credentials'] };",
        "const params: OAuth2PolicyParameters = { passThrough: true, tokenStrategy: 'jwt', jwt: { issuer: 'https://idp.example.com', audience: 'api', jwksUri: 'https://idp.example.com/jwks' } };",
        // Every setting has its type, helpers' schemas included (routes.*, durations), rather than unknown.
        '// @ts-expect-error basePath is a path',
        'const wrongPath: OAuth2PluginSettings = { basePath: 42 };',
        '// @ts-expect-error refreshToken.ttl is a number of seconds',
        "const wrongTtl: OAuth2PluginSettings = { refreshToken: { ttl: '1d' } };",
        '// @ts-expect-error passThrough is a boolean',
        "const wrongPass: OAuth2PolicyParameters = { passThrough: 'yes' };",
        'const policies: string[] = manifest.policies;',
        'export { settings, params, wrongPath, wrongTtl, wrongPass, policies };',
        ''
      ].join('\n')
    );
    folder.write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          module: 'commonjs',
          moduleResolution: 'node',
          target: 'ES2022',
          lib: ['ES2022']
        },
        files: ['uses-types.ts']
      })
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: folder.dir }).catch(
      (err: { stdout: string }) => err
    );
    expect('stdout' in compiled ? compiled.stdout : '').to.equal('');
    await folder.uninstall();
  });
});
