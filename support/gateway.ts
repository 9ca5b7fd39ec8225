import type { ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { AdminClient } from './admin-client';
import { spawnNode } from './child-process';
import { DEFAULT_GRANTS, SAML2_BEARER } from '../schemas/settings.schema';

const ROOT = path.resolve(__dirname, '../..');
export const PLUGIN_PACKAGE = path.join(ROOT, 'dist', 'manifest.js');
const EG_MAIN = require.resolve('express-gateway/lib/index.js');
/** EG's models, with the application properties the plugin documents (see README). */
const MODELS = path.join(ROOT, 'demo', 'config', 'models');

/**
 * Ports this process handed out: the kernel may offer a port again once its probe closed, before anyone listens on it.
 */
const handedOut = new Set<number>();

/** A port free on 127.0.0.1 now and not handed out before in this process (so two asked in a row always differ). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: probed } = server.address() as net.AddressInfo;
        server.close(() => resolve(probed));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** The db section: EG's emulated store, or the real Redis of REDIS_URL (its own DB index). */
export function redisConfig(namespace: string): Record<string, unknown> {
  const url = process.env.REDIS_URL;
  if (!url) return { emulate: true, namespace };
  const parsed = new URL(url);
  return {
    emulate: false,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.slice(1) || 0),
    namespace
  };
}

export interface GatewayOptions {
  /** Plugin settings (plugins.oauth2), without `package`. */
  settings?: Record<string, unknown>;
  /** Extra gateway.config.yml content: apiEndpoints, serviceEndpoints, pipelines. */
  gateway?: Record<string, unknown>;
  /** Redis key namespace; gateways given the same one share a store on a real Redis. */
  namespace?: string;
  /** Leave the plugin out entirely. */
  withoutPlugin?: boolean;
  /** Replaces the db.redis section of system.config. */
  redis?: Record<string, unknown>;
  /** The HTTP port, when the config must name it before the start (e.g. a pipeline pointing at this gateway). */
  port?: number;
  /** Don't wait for the gateway to listen (for gateways expected to fail). */
  expectExit?: boolean;
  /** Sections merged over the system config (e.g. crypto, or the session EG's built-in oauth2 policy needs). */
  system?: Record<string, unknown>;
  /** Node flags for the gateway process, before EG's main script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Leave `grants` to the plugin's default; otherwise tests that list none get the default plus the password grant. */
  pluginDefaultGrants?: boolean;
  /** A models folder other than the demo's (which declares every application property the plugin documents). */
  models?: string;
  /** Let EG watch gateway.config for changes (hot reload; see RunningGateway.reload). */
  watchConfig?: boolean;
  /** EG's LOG_LEVEL (default: the environment's, else info). */
  logLevel?: string;
  /** More environment for the gateway process (e.g. NODE_EXTRA_CA_CERTS). */
  env?: Record<string, string>;
}

/**
 * The grants of a test gateway that lists none: the plugin's default plus
 * the password grant, which the plugin leaves out by default (RFC 9700
 * §2.4) but much of the suite uses to get a user's token in one request.
 */
function testGrants(settings: Record<string, unknown> = {}): string[] {
  const idps = (settings.samlBearer as { identityProviders?: unknown[] } | undefined)?.identityProviders ?? [];
  return [...DEFAULT_GRANTS, 'password', ...(idps.length > 0 ? [SAML2_BEARER] : [])];
}

export interface RunningGateway {
  url: string;
  admin: AdminClient;
  adminUrl: string;
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /**
   * Writes gateway.config anew with these sections over the first ones (a
   * gateway started with watchConfig), and resolves once EG has reloaded it
   * or refused it: true when reloaded.
   */
  reload(gateway: Record<string, unknown>): Promise<boolean>;
}

/**
 * Boots a real Express Gateway in a child process with the plugin, from a
 * config folder written for the test, on free ports of 127.0.0.1.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const [httpPort, adminPort] = [options.port ?? (await freePort()), await freePort()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-'));
  fs.cpSync(options.models ?? MODELS, path.join(dir, 'models'), { recursive: true });
  const namespace = options.namespace ?? `T${Math.random().toString(36).slice(2, 10)}`;
  const system: Record<string, unknown> = {
    db: { redis: options.redis ?? redisConfig(namespace) },
    crypto: { cipherKey: 'test-cipher-key', algorithm: 'aes256', saltRounds: 4 },
    ...options.system
  };
  if (!options.withoutPlugin) {
    system.plugins = {
      oauth2: {
        package: PLUGIN_PACKAGE,
        issuer: `http://127.0.0.1:${httpPort}`,
        session: { secret: 'a test session secret of at least 32 characters' },
        ...(options.pluginDefaultGrants || options.settings?.grants ? {} : { grants: testGrants(options.settings) }),
        ...options.settings
      }
    };
  }
  const gatewayConfig = {
    http: { port: httpPort, hostname: '127.0.0.1' },
    admin: { port: adminPort, host: '127.0.0.1' },
    apiEndpoints: {},
    serviceEndpoints: {},
    policies: ['oauth2', 'proxy'],
    pipelines: {},
    ...options.gateway
  };
  fs.writeFileSync(path.join(dir, 'system.config.json'), JSON.stringify(system, null, 2));
  fs.writeFileSync(path.join(dir, 'gateway.config.json'), JSON.stringify(gatewayConfig, null, 2));

  const {
    process: child,
    output,
    exited
  } = spawnNode([...(options.nodeArgs ?? []), EG_MAIN], {
    env: {
      ...process.env,
      EG_CONFIG_DIR: dir,
      ...(options.watchConfig ? {} : { EG_DISABLE_CONFIG_WATCH: 'true' }),
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      ...options.env
    }
  });

  const gateway: RunningGateway = {
    url: `http://127.0.0.1:${httpPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    admin: new AdminClient(`http://127.0.0.1:${adminPort}`),
    process: child,
    output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async reload(sections) {
      const outcomes = /hot-reload config completed|Could not hot-reload/g;
      const before = output().match(outcomes)?.length ?? 0;
      fs.writeFileSync(
        path.join(dir, 'gateway.config.json'),
        JSON.stringify({ ...gatewayConfig, ...sections }, null, 2)
      );
      const deadline = Date.now() + 15000;
      for (;;) {
        const seen = output().match(outcomes) ?? [];
        if (seen.length > before) return seen[seen.length - 1] === 'hot-reload config completed';
        if (Date.now() > deadline) throw new Error(`EG did not reload gateway.config:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  if (options.expectExit) return gateway;

  const deadline = Date.now() + 15000;
  while (!/gateway http server listening/.test(output()) || !/admin http server listening/.test(output())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await gateway.stop();
      throw new Error(`gateway did not start:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return gateway;
}
