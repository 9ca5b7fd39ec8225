import type { BenchConfig } from './config';
import { explainMiss } from './explain';
import type { Machine } from './machine';
import type { ProfiledRun } from './profile-run';
import type { MemoryReport } from './redis-memory';
import { memorySection } from './memory-section';
import { methodSection } from './method-section';
import { profileSection } from './profile-section';
import { checkCosts, proofCostSentence } from './proof-cost';
import type { Results } from './results';
import { LABELS } from './scenarios';
import { CLUSTER_SHAPE, STORE_LABELS, STORE_TITLES } from './store-names';
import { floodTable, protectedTable, rate, targetTable, tokenTable } from './tables';
import type { TargetCheck } from './targets';

export interface BenchReport {
  date: Date;
  machine: Machine;
  config: BenchConfig;
  results: Results;
  targets: TargetCheck[];
  /** One per real store the memory was measured on. */
  memory: MemoryReport[];
  profiles: ProfiledRun[];
  /** Profiles of (a), one per store, that the protected calls' profiles are compared with. */
  references: ProfiledRun[];
  minutes: number;
}

function machineSection({ machine, date, minutes }: BenchReport): string {
  return [
    '| | |',
    '| --- | --- |',
    `| Date | ${date.toISOString().replace('T', ' ').slice(0, 16)} UTC (run took ${minutes.toFixed(1)} min) |`,
    `| CPU | ${machine.cpu}, ${machine.cores} cores (1-minute load average at the start: ${machine.loadAtStart.toFixed(2)}) |`,
    `| Memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node.js | ${machine.node} |`,
    `| Express Gateway | ${machine.expressGateway} |`,
    `| Redis | ${machine.redis} |`,
    ...(machine.redisCluster
      ? [
          `| Redis Cluster | ${CLUSTER_SHAPE.primaries} primaries, ${CLUSTER_SHAPE.replicasPerPrimary} replica each: redis-server ${machine.redisCluster} on loopback ports |`
        ]
      : []),
    `| Plugin commit | ${machine.commit} |`
  ].join('\n');
}

const ratio = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));

/** One line per store: the protected calls and the token endpoint against (a) and (e), and the targets met. */
function summarySection({ results, targets }: BenchReport): string {
  const lines = results.stores().map((store) => {
    const rps = (id: string) => results.best(store, id)?.rps;
    const of = (id: string, base: string) => {
      const [mine, other] = [rps(id), rps(base)];
      return mine !== undefined && other ? mine / other : undefined;
    };
    const calls = ['b', 'c', 'd', 'e'].map((id) => `(${id}) ${ratio(of(id, 'a'))}`).join(', ');
    const grant = (name: string) =>
      `${name} ${rate(rps(`plugin:${name}`) ?? 0)} req/s (EG's ${rate(rps(`builtin:${name}`) ?? 0)})`;
    const p99 = (id: string) => results.best(store, id)?.p99;
    const flooded = ['i', 'j']
      .map((id) => {
        const [mine, calm] = [p99(id), p99('h')];
        return `(${id}) ${ratio(mine !== undefined && calm ? mine / calm : undefined)}`;
      })
      .join(', ');
    const { bearer, proof } = checkCosts(results, store);
    const bound =
      proof === undefined || bearer === undefined
        ? ''
        : `DPoP-bound calls at (m) ${ratio(of('m', 'a'))}: the proof check ${Math.round(proof)} µs of gateway CPU ` +
          `per request, the bearer check ${Math.round(bearer)} µs. `;
    return (
      `- **${STORE_LABELS[store]}**: protected calls at ${calls} of (a)'s ${rate(rps('a') ?? 0)} req/s. ${bound}` +
      `Token endpoint: ${grant('client_credentials')}, ${grant('password')}. ` +
      `Under a flood of wrong client secrets, protected-call p99 at ${flooded} × (h)'s.`
    );
  });
  const met = targets.filter((t) => t.met).length;
  return [...lines, `- Targets: ${met} of ${targets.length} checks met.`].join('\n');
}

/** BENCH.md: the machine, the method, each store's tables, the targets, memory and profiles. */
export function renderReport(report: BenchReport): string {
  const sections = [
    '# Benchmark',
    '',
    'Written by `npm run bench` (bench/run.ts). Numbers are only comparable within one run: every',
    'ratio below divides two numbers measured minutes apart on the same machine.',
    '',
    '## Summary',
    '',
    summarySection(report),
    '',
    '## Machine',
    '',
    machineSection(report),
    '',
    '## Method',
    '',
    methodSection(report.config, report.machine)
  ];
  for (const store of report.results.stores()) {
    sections.push(
      '',
      `## On ${STORE_TITLES[store]}`,
      '',
      '### Protected API calls',
      '',
      protectedTable(report.results, store),
      '',
      proofCostSentence(report.results, store),
      '',
      '### Token endpoint',
      '',
      tokenTable(report.results, store),
      '',
      '### Introspection (RFC 7662), against the protected calls of (a)',
      '',
      protectedTable(report.results, store, ['k', 'l']),
      '',
      '### Protected API calls under a flood of wrong client secrets',
      '',
      floodTable(report.results, store)
    );
  }
  sections.push('', '## Targets', '', targetTable(report.targets));
  const missed = report.targets.filter((t) => !t.met);
  sections.push(
    '',
    missed.length === 0
      ? 'Every target was met.'
      : `${missed.length} of ${report.targets.length} checks missed; see the profiles below.`
  );
  if (report.memory.length > 0) sections.push('', '## Redis memory per live token', '', memorySection(report.memory));
  if (report.profiles.length > 0) {
    sections.push(
      '',
      '## Profiles of the missed targets',
      '',
      'Each missed scenario ran once more under `node --cpu-prof`. Only the samples taken during the',
      "measured load count (the gateway's start, seeding and token fetching are cut off); idle time is left out."
    );
    for (const run of report.references) sections.push('', profileSection(run, '(a), the reference', null));
    for (const run of report.profiles) {
      const why = explainMiss(
        run,
        report.results,
        report.references.find((r) => r.store === run.store)
      );
      sections.push('', profileSection(run, LABELS[run.scenario] ?? run.scenario, why));
    }
  }
  return sections.join('\n') + '\n';
}
