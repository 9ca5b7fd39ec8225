import path from 'path';
import type { Redis } from 'ioredis';
import { missingAppProperties } from '../eg/app-model';
import { leftoverLines } from '../eg/eg-leftovers';
import { isEmulatedStore } from '../eg/emulated-store';
import { oauth2Steps, stepProblem } from '../eg/pipeline-params';
import { PACKAGE } from '../eg/start-line';
import { ServerRegistry } from '../servers/server.registry';
import { mtlsAuthorities } from '../mtls/tls-client-auth';
import { resolveSettings, Settings } from '../settings';
import type { PolicyParams } from '../../schemas/policy.schema';
import { GatewayFolder, resolveFrom } from './gateway-folder';

/** One line of the report: a fact checked (ok), a mistake (problem), or what could not be checked (note). */
export interface Finding {
  kind: 'ok' | 'problem' | 'note';
  text: string;
}

const ok = (text: string): Finding => ({ kind: 'ok', text });
const problem = (text: string): Finding => ({ kind: 'problem', text });
const note = (text: string): Finding => ({ kind: 'note', text });

const PREFIX = 'express-gateway-plugin-';

/** What EG requires for a plugins entry (EG's lib/plugins.js): `package`, or the entry's name, prefixed. */
function requireName(name: string, entry: Record<string, unknown> | null): string {
  if (typeof entry?.package === 'string') return entry.package;
  return name.startsWith(PREFIX) ? name : PREFIX + name;
}

/** The plugins entry meant to load this plugin: by its package, or by the name `oauth2`. */
export function findEntry(folder: GatewayFolder): [string, Record<string, unknown>] | null {
  const entries = Object.entries(folder.system.plugins ?? {});
  const ours =
    entries.find(([name, entry]) => requireName(name, entry).includes(PACKAGE.name)) ??
    entries.find(([name]) => name === 'oauth2');
  return ours ? [ours[0], ours[1] ?? {}] : null;
}

/** The entry's package resolves from the gateway folder and loads as this plugin. */
export function pluginLoads(folder: GatewayFolder, [name, entry]: [string, Record<string, unknown>]): Finding {
  const wanted = requireName(name, entry);
  let file: string;
  try {
    // EG requires from its own lib/ first, then from the main module (server.js, in the folder).
    file = require.resolve(wanted, { paths: [path.join(folder.egRoot, 'lib'), folder.dir] });
  } catch {
    return problem(
      `plugins.${name}.package: "${wanted}" does not resolve from ${folder.dir}: install it there (npm install ${PACKAGE.name}) or fix the name; EG would start with its built-in oauth2 policy instead`
    );
  }
  try {
    const manifest = require(file) as { init?: unknown; policies?: unknown };
    if (
      typeof manifest.init !== 'function' ||
      !Array.isArray(manifest.policies) ||
      !manifest.policies.includes('oauth2')
    ) {
      return problem(
        `plugins.${name}.package: "${wanted}" (${file}) is not ${PACKAGE.name}: it registers no oauth2 policy`
      );
    }
  } catch (err) {
    return problem(
      `plugins.${name}.package: "${wanted}" (${file}) fails to load: ${(err as Error).message.split('\n')[0]}; EG would start with its built-in oauth2 policy instead`
    );
  }
  return ok(`plugins.${name}: ${PACKAGE.name} loads from ${file}`);
}

/** The settings validate, as the plugin's init would judge them. */
export function settingsValid(
  folder: GatewayFolder,
  [name, entry]: [string, Record<string, unknown>]
): { finding: Finding; settings?: Settings } {
  try {
    const settings = resolveSettings(entry, folder.system, folder.gateway);
    mtlsAuthorities(settings, folder.gateway);
    return {
      settings,
      finding: ok(`plugins.${name}: settings valid; issuer ${settings.issuer}, grants: ${settings.grants.join(', ')}`)
    };
  } catch (err) {
    return { finding: problem((err as Error).message.replace(/plugins\.oauth2\b/g, `plugins.${name}`)) };
  }
}

/** The app model declares what registration writes. */
export function appModelComplete(folder: GatewayFolder, settings: Settings): Finding | null {
  const missing = missingAppProperties(settings, folder.models);
  if (!settings.clientRegistration.enabled && !settings.dynamicRegistration.enabled) return null;
  return missing.length === 0
    ? ok('config/models/applications.json declares every property registration writes')
    : problem(
        `config/models/applications.json lacks application properties registration writes: ${missing.join(', ')} (declare each as { "type": "string" }); every registration would fail`
      );
}

/** Every pipeline's oauth2 parameters, each step on its own line. */
/**
 * @param dryRun what the policy would build from a step's parameters (policies/oauth2/dry-run.ts, handed in by the
 * command).
 */
export function pipelinesValid(folder: GatewayFolder, dryRun: (params: PolicyParams) => void): Finding[] {
  const steps = oauth2Steps(folder.gateway);
  if (steps.length === 0) return [note('no pipeline uses the oauth2 policy')];
  return steps.map((step) => {
    const wrong = stepProblem(step, dryRun);
    return wrong ? problem(wrong) : ok(`${step.where}: valid`);
  });
}

/** EG's own oauth2 settings in system.config, unused with this plugin: one problem each. */
export function noLeftovers(folder: GatewayFolder): Finding[] {
  return leftoverLines(folder.systemPath).map(problem);
}

/** The Redis of db.redis answers, and every `server:` a pipeline names is registered there. */
export async function storeReachable(folder: GatewayFolder, settings: Settings | undefined): Promise<Finding[]> {
  const servers = [
    ...new Set(
      oauth2Steps(folder.gateway)
        .map((step) => step.action.server)
        .filter((name): name is string => typeof name === 'string')
    )
  ];
  if (isEmulatedStore(folder.system)) {
    return [
      ok("store: EG's emulated store (in memory: tokens and consumers last as long as the gateway process)"),
      ...servers.map((name) =>
        note(
          `server "${name}" is looked up in the running gateway's memory (emulated store): register it over the admin API after each start`
        )
      )
    ];
  }
  const { emulate: _emulate, namespace: _namespace, ...options } = folder.system.db?.redis ?? {};
  const IORedis = require(resolveFrom(folder.egRoot, 'ioredis')) as new (options: object) => Redis;
  const redis = new IORedis({
    ...options,
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null
  });
  redis.on('error', () => {});
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}/${options.db ?? 0}`;
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    return [
      problem(
        `store: Redis at ${where} does not answer (${(err as Error).message}): the gateway would start but fail every request`
      )
    ];
  }
  try {
    const findings = [ok(`store: Redis at ${where} answers`)];
    if (settings) {
      const registry = new ServerRegistry(redis, settings.store.keyPrefix);
      for (const name of servers) {
        findings.push(
          (await registry.get(name))
            ? ok(`server "${name}" is registered`)
            : problem(
                `server "${name}", named by a pipeline, is not registered: every call through it is refused until it is (POST /oauth2/servers on the admin API)`
              )
        );
      }
    }
    return findings;
  } finally {
    redis.disconnect();
  }
}
