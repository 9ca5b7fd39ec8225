import { expect } from 'chai';
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { demoConfigEnv, DEMO_CONFIG_DIR } from '../../demo/demo-env';
import { openDemoDir } from '../../demo/demo-dir';
import { generateDemoKeys } from '../../demo/demo-keys';
import { freePort, PLUGIN_PACKAGE } from '../../support/gateway';
import { ROOT } from '../helpers/gateway-folder';
import { oncePerRun } from '../helpers/once-per-run';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'dist', 'bin', 'express-gateway-plugin-oauth2.js');
const EG_MODELS = path.join(path.dirname(require.resolve('express-gateway/package.json')), 'lib', 'config', 'models');
const DEMO_MODELS = path.join(DEMO_CONFIG_DIR, 'models');

interface Report {
  code: number;
  lines: string[];
  problems: string[];
}

async function check(configDir: string, env: Record<string, string> = {}): Promise<Report> {
  const result = await run(process.execPath, [BIN, 'check', configDir], {
    env: { ...process.env, ...env },
    timeout: 30000
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout })
  );
  const lines = result.stdout.trim().split('\n');
  return { code: result.code, lines, problems: lines.filter((line) => line.startsWith('PROBLEM')) };
}

interface Folder {
  system?: Record<string, unknown>;
  plugin?: Record<string, unknown> | null;
  pipelines?: Record<string, unknown>;
  models?: string;
}

/** A config folder (JSON is YAML): EG's emulated store, the plugin by absolute path, one pipeline guarded by oauth2. */
function configFolder(options: Folder = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-check-'));
  fs.cpSync(options.models ?? DEMO_MODELS, path.join(dir, 'models'), { recursive: true });
  const system = {
    db: { redis: { emulate: true, namespace: 'EG' } },
    crypto: { cipherKey: 'k', algorithm: 'aes256', saltRounds: 4 },
    ...(options.plugin === null
      ? {}
      : { plugins: { oauth2: { package: PLUGIN_PACKAGE, issuer: 'https://api.example.com', ...options.plugin } } }),
    ...options.system
  };
  const gateway = {
    http: { port: 8080 },
    admin: { port: 9876, host: '127.0.0.1' },
    apiEndpoints: { orders: { paths: ['/orders'] } },
    serviceEndpoints: { ordersService: { url: 'http://127.0.0.1:3000' } },
    policies: ['oauth2', 'proxy'],
    pipelines: options.pipelines ?? {
      orders: {
        apiEndpoints: ['orders'],
        policies: [{ oauth2: null }, { proxy: [{ action: { serviceEndpoint: 'ordersService' } }] }]
      }
    }
  };
  fs.writeFileSync(path.join(dir, 'system.config.yml'), JSON.stringify(system, null, 2));
  fs.writeFileSync(path.join(dir, 'gateway.config.yml'), JSON.stringify(gateway, null, 2));
  return dir;
}

const oauth2Pipeline = (action: Record<string, unknown>) => ({
  orders: {
    apiEndpoints: ['orders'],
    policies: [{ oauth2: [{ action }] }, { proxy: [{ action: { serviceEndpoint: 'ordersService' } }] }]
  }
});

describe('express-gateway-plugin-oauth2 check [config dir]', function () {
  this.timeout(60000);
  const made: string[] = [];
  const folder = (options: Folder = {}) => {
    const dir = configFolder(options);
    made.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(function () {
    // Only the registry test reads the Redis of REDIS_URL: the others would repeat themselves on the real-Redis pass.
    if (!/not registered in the Redis/.test(this.currentTest?.title ?? '')) oncePerRun(this);
  });

  it("passes on the demo's configuration, one ok line per fact", async () => {
    const keys = generateDemoKeys(openDemoDir(fs.mkdtempSync(path.join(os.tmpdir(), 'eg-check-demo-'))));
    const report = await check(
      DEMO_CONFIG_DIR,
      demoConfigEnv(
        keys,
        { http: await freePort(), admin: await freePort() },
        'http://127.0.0.1:9',
        'http://127.0.0.1:9/mcp'
      )
    );
    expect(report.problems, report.lines.join('\n')).to.deep.equal([]);
    expect(report.code).to.equal(0);
    expect(report.lines).to.include.members([
      'ok       config/models/applications.json declares every property registration writes',
      'ok       pipelines.api.policies.0.oauth2.0.action: valid'
    ]);
    expect(report.lines.at(-1)).to.match(/^express-gateway-plugin-oauth2 \d+\.\d+\.\d+: no problem found in /);
  });

  it('reports a package that does not resolve (EG would fall back to its built-in oauth2 policy)', async () => {
    const report = await check(folder({ plugin: { package: 'express-gateway-plugin-oauht2' } }));
    expect(report.code).to.equal(1);
    expect(report.problems.join('\n')).to.match(
      /plugins\.oauth2\.package: "express-gateway-plugin-oauht2" does not resolve from .*built-in oauth2 policy/
    );
  });

  it('reports a package that resolves but fails to load, with its error', async () => {
    const dir = folder();
    const broken = path.join(dir, 'broken-plugin.js');
    fs.writeFileSync(broken, 'throw new Error("cannot find dist/manifest.js");\n');
    fs.writeFileSync(
      path.join(dir, 'system.config.yml'),
      fs
        .readFileSync(path.join(dir, 'system.config.yml'), 'utf8')
        .replace(JSON.stringify(PLUGIN_PACKAGE), JSON.stringify(broken))
    );
    const report = await check(dir);
    expect(report.problems.join('\n')).to.match(/fails to load: cannot find dist\/manifest\.js/);
  });

  it('reports a system.config without the plugin', async () => {
    const report = await check(folder({ plugin: null }));
    expect(report.problems).to.deep.equal([
      'PROBLEM  system.config: no plugins entry loads express-gateway-plugin-oauth2; add plugins.oauth2.package: express-gateway-plugin-oauth2'
    ]);
  });

  it("reports a typo'd setting with the key it probably meant", async () => {
    const report = await check(folder({ plugin: { acessToken: { ttl: 600 } } }));
    expect(report.problems).to.deep.equal([
      'PROBLEM  unknown setting plugins.oauth2.acessToken; did you mean accessToken?'
    ]);
  });

  it('reports each pipeline step whose oauth2 parameters are invalid, naming the pipeline', async () => {
    const unknown = await check(folder({ pipelines: oauth2Pipeline({ passthrough: true }) }));
    expect(unknown.problems).to.deep.equal([
      'PROBLEM  unknown parameter pipelines.orders.policies.0.oauth2.0.action.passthrough; did you mean passThrough?'
    ]);
    const badKey = await check(
      folder({
        pipelines: oauth2Pipeline({
          tokenStrategy: 'jwt',
          jwt: { issuer: 'https://idp.example', audience: 'api', keys: [{ alg: 'RS256', key: 'not a PEM' }] }
        })
      })
    );
    expect(badKey.problems.join('\n')).to.match(
      /^PROBLEM {2}pipelines\.orders\.policies\.0\.oauth2\.0\.action: jwt\.keys.*RS256/
    );
  });

  it('reports an app model lacking what registration writes', async () => {
    const report = await check(folder({ models: EG_MODELS, plugin: { clientRegistration: { enabled: true } } }));
    expect(report.problems.join('\n')).to.match(
      /applications\.json lacks application properties registration writes: registeredVia, public, redirectUris, grantTypes, tokenEndpointAuthMethod, jwks, jwksUri/
    );
  });

  it("reports EG's own oauth2 settings that the plugin leaves unused, one line each", async () => {
    const report = await check(
      folder({
        system: {
          session: { secret: 'keyboard cat' },
          accessTokens: { timeToExpiry: 7200000 },
          refreshTokens: { timeToExpiry: 7200000 },
          authorizationCodes: { timeToExpiry: 300000 }
        }
      })
    );
    expect(report.problems).to.have.length(4);
    expect(report.problems[1]).to.equal(
      "PROBLEM  system.config: accessTokens configures EG's built-in oauth2 policy, which this plugin replaces; it is unused (plugins.oauth2.accessToken.ttl applies): remove it"
    );
  });

  it('reports a Redis that does not answer', async () => {
    const port = await freePort();
    const report = await check(
      folder({
        system: { db: { redis: { emulate: false, host: '127.0.0.1', port, namespace: 'EG' } } },
        plugin: { session: { secret: 'a session secret of at least 32 characters' } }
      })
    );
    expect(report.problems.join('\n')).to.match(
      new RegExp(`store: Redis at 127\\.0\\.0\\.1:${port}/0 does not answer`)
    );
  });

  it('reports a missing issuer on a real Redis (the default only suits the emulated demo)', async () => {
    const dir = folder({
      system: { db: { redis: { emulate: false, host: '127.0.0.1', port: await freePort(), namespace: 'EG' } } },
      plugin: { session: { secret: 'a session secret of at least 32 characters' } }
    });
    const system = JSON.parse(fs.readFileSync(path.join(dir, 'system.config.yml'), 'utf8'));
    delete system.plugins.oauth2.issuer;
    fs.writeFileSync(path.join(dir, 'system.config.yml'), JSON.stringify(system));
    const report = await check(dir);
    expect(report.problems.join('\n')).to.match(
      /plugins\.oauth2\.issuer is required when the gateway runs on a real Redis/
    );
  });

  it('reports a server a pipeline names that is not registered in the Redis', async function () {
    if (!process.env.REDIS_URL) return this.skip(); // the emulated registry lives in the gateway process
    const url = new URL(process.env.REDIS_URL);
    const redis = {
      emulate: false,
      host: url.hostname,
      port: Number(url.port || 6379),
      db: Number(url.pathname.slice(1) || 0),
      namespace: `C${Date.now()}`
    };
    const report = await check(
      folder({
        system: { db: { redis } },
        plugin: { session: { secret: 'a session secret of at least 32 characters' } },
        pipelines: oauth2Pipeline({ server: 'partner-as' })
      })
    );
    expect(report.lines).to.include(`ok       store: Redis at ${redis.host}:${redis.port}/${redis.db} answers`);
    expect(report.problems.join('\n')).to.match(/server "partner-as", named by a pipeline, is not registered/);
  });
});
