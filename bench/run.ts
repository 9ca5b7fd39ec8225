/**
 * `npm run bench` (issue 8): the plugin's oauth2 policy and token endpoint
 * against an open pipeline and against Express Gateway's built-in policy, and
 * protected calls under floods of wrong client secrets (issue 15), on the
 * emulated store, on a real Redis, and with the plugin's store on a Redis
 * Cluster, written to BENCH.md.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startBackend } from './backend';
import { clusterUnavailable } from './cluster-store';
import { BenchConfig, benchConfig } from './config';
import type { GatewayKind } from './gateways';
import type { LoadResult } from './load';
import { describeMachine } from './machine';
import { ProfiledRun, profileScenario } from './profile-run';
import { proofCostSentence } from './proof-cost';
import { MemoryReport, measureTokenMemory } from './redis-memory';
import { renderReport } from './report';
import { Results } from './results';
import { LABELS, SCENARIOS } from './scenarios';
import { runSession } from './session';
import { openStore, StoreName } from './stores';
import { floodTable, ms, protectedTable, rate, targetTable, tokenTable } from './tables';
import { checkTargets } from './targets';

const ROOT = path.resolve(__dirname, '..', '..');
const PROFILE_DIR = path.join(ROOT, '.tmp', 'bench-profiles');
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The gateways in the order their scenarios are listed. */
const KINDS = [...new Set(SCENARIOS.map((s) => s.gateway))] as GatewayKind[];

function describeRun(id: string, run: LoadResult): string {
  const failures = run.failed > 0 ? `  (${run.failed} failed)` : '';
  const cpu = run.cpu ? `  cpu: gateway ${run.cpu.gateway.toFixed(2)}, others ${run.cpu.others.toFixed(2)}` : '';
  const f = run.flood;
  const flood = f
    ? `  flood: ${f.sent} sent, 401 ${f.invalidClient}, locked ${f.locked}, 503 ${f.busy}, other ${f.other + f.errors}`
    : '';
  return `${(LABELS[id] ?? id).padEnd(46)} ${rate(run.rps).padStart(7)} req/s  p50 ${ms(run.p50).padStart(6)} ms  p99 ${ms(run.p99).padStart(6)} ms${cpu}${failures}${flood}`;
}

/**
 * Every missed scenario is profiled once per store: since grants are indexed per owner, the token endpoint's
 * writes differ by store as much as the protected calls' reads (bcrypt is remembered after the first check).
 */
function profileKey(store: StoreName, scenario: string): string {
  return `${store}:${scenario}`;
}

/** The configuration with the stores this machine cannot run left out, each with a log line. */
function runnable(config: BenchConfig): BenchConfig {
  const stores = config.stores.filter((store) => {
    const why = store === 'cluster' ? clusterUnavailable() : null;
    if (why) log(`bench: skipping the cluster store: ${why}`);
    return !why;
  });
  return { ...config, stores };
}

async function main(): Promise<void> {
  const config = runnable(benchConfig());
  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  const results = new Results(config.quietCores);
  const profiles: ProfiledRun[] = [];
  const references: ProfiledRun[] = [];
  const profiled = new Set<string>();
  const memory: MemoryReport[] = [];
  log(
    `bench: ${config.connections} connections, ${config.duration} s runs × ${config.repeats} (token endpoint ${config.tokenDuration} s × ${config.tokenRepeats}), stores ${config.stores.join(' + ')}`
  );

  const backend = await startBackend();
  try {
    for (const storeName of config.stores) {
      const store = await openStore(storeName, config.redisUrl);
      try {
        for (let repeat = 1; repeat <= config.repeats; repeat++) {
          for (const kind of KINDS) {
            const scenarios = SCENARIOS.filter(
              (s) =>
                s.gateway === kind &&
                (s.warm || repeat <= config.tokenRepeats) &&
                (!config.scenarios || config.scenarios.includes(s.id))
            );
            // A gateway none of whose scenarios BENCH_SCENARIOS chose is not booted (every gateway has some otherwise).
            if (scenarios.length === 0) continue;
            await runSession({
              kind,
              store,
              config,
              backend,
              scenarios,
              onResult(id, run) {
                results.add(storeName, id, run);
                log(`[${storeName} ${repeat}/${config.repeats}] ${describeRun(id, run)}`);
              }
            });
          }
        }
        if (store.primaries.length > 0 && config.memoryTokens > 0) {
          log(`[${storeName}] memory per live token: issuing ${config.memoryTokens} tokens of each kind`);
          memory.push(await measureTokenMemory(store, backend.url, config.memoryTokens, log));
        }
        const missed = config.profile ? checkTargets(results).filter((c) => c.store === storeName && !c.met) : [];
        // The open pipeline's profile is what a missed protected call's profile is compared with.
        if (missed.some((c) => !c.scenario.includes(':'))) {
          log(`[${storeName}] profiling (a), the reference of the protected calls`);
          references.push(
            await profileScenario(
              SCENARIOS.find((s) => s.id === 'a')!,
              store,
              backend,
              config,
              PROFILE_DIR
            )
          );
        }
        for (const check of missed) {
          if (profiled.has(profileKey(storeName, check.scenario))) continue;
          profiled.add(profileKey(storeName, check.scenario));
          log(`[${storeName}] missed ${check.goal} (${check.measured.toFixed(2)}): profiling ${check.scenario}`);
          const scenario = SCENARIOS.find((s) => s.id === check.scenario)!;
          profiles.push(await profileScenario(scenario, store, backend, config, PROFILE_DIR));
        }
      } finally {
        await store.close();
      }
    }
  } finally {
    await backend.stop();
  }

  const machine = await describeMachine(config.stores, config.redisUrl, loadAtStart);
  const targets = checkTargets(results);
  const minutes = (Date.now() - started) / 60000;
  const out = path.resolve(ROOT, config.out);
  fs.writeFileSync(
    out,
    renderReport({ date: new Date(started), machine, config, results, targets, memory, profiles, references, minutes })
  );

  for (const store of results.stores()) {
    log(
      `\n${store}: protected calls\n${protectedTable(results, store)}\n${proofCostSentence(results, store)}` +
        `\n\n${store}: token endpoint\n${tokenTable(results, store)}` +
        `\n\n${store}: protected calls under a flood of wrong client secrets\n${floodTable(results, store)}`
    );
  }
  log(
    `\ntargets\n${targetTable(targets)}\n\nwritten to ${path.relative(process.cwd(), out) || out} in ${minutes.toFixed(1)} min`
  );
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
