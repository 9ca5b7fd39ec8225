import type { BenchConfig } from './config';
import { explainMiss } from './explain';
import type { Machine } from './machine';
import type { ProfiledRun } from './profile-run';
import type { MemoryReport } from './redis-memory';
import { memorySection } from './memory-section';
import { profileSection } from './profile-section';
import type { Results } from './results';
import { LABELS } from './scenarios';
import { protectedTable, rate, targetTable, tokenTable } from './tables';
import type { TargetCheck } from './targets';

export interface BenchReport {
  date: Date;
  machine: Machine;
  config: BenchConfig;
  results: Results;
  targets: TargetCheck[];
  memory: MemoryReport | null;
  profiles: ProfiledRun[];
  /** Profiles of (a), one per store, that the protected calls' profiles are compared with. */
  references: ProfiledRun[];
  minutes: number;
}

const STORE_TITLES = { emulated: "EG's emulated store (ioredis-mock, in the gateway process)", redis: 'a real Redis (loopback TCP)' };

function machineSection({ machine, date, minutes }: BenchReport): string {
  return [
    '| | |', '| --- | --- |',
    `| Date | ${date.toISOString().replace('T', ' ').slice(0, 16)} UTC (run took ${minutes.toFixed(1)} min) |`,
    `| CPU | ${machine.cpu}, ${machine.cores} cores (1-minute load average at the start: ${machine.loadAtStart.toFixed(2)}) |`,
    `| Memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node.js | ${machine.node} |`,
    `| Express Gateway | ${machine.expressGateway} |`,
    `| Redis | ${machine.redis} |`,
    `| Plugin commit | ${machine.commit} |`
  ].join('\n');
}

function methodSection({ config, machine }: BenchReport): string {
  return `One process per role on 127.0.0.1: the gateway under test (a real Express Gateway child
process, one at a time), the echo backend (its own process; it answers the method and URL, not the request's headers,
so that the identity headers a policy adds do not also make the answer larger) and autocannon (in the bench process).
Each gateway is booted on an empty store, seeded through EG's admin API (a user with a basic-auth
credential, a confidential app with an oauth2 credential), measured, and stopped.

- **Load**: ${config.connections} connections; protected calls ${config.duration} s per run after ${config.warmup} unmeasured
  warm-up requests (Node.js checks each of the first 10,000 deprecated \`Buffer()\` calls of EG's request ids with a stack trace), token-endpoint runs ${config.tokenDuration} s. The set of gateways ran ${config.repeats}× on each store (the
  token-endpoint scenarios in the first ${config.tokenRepeats}), each gateway booted afresh every time. Each row is the
  **best repeat** (most requests/s) with that run's latencies; the last column shows every run, retries included.
- **CPU**: the cores the gateway process kept busy during the best run (1.00 = one core, about all
  a Node.js process can use; GC threads add a little), that time per request, and the cores other
  processes of the machine used meanwhile (from /proc: the machine's busy time less the bench's own
  processes). With the gateway at one core, requests/s is one core divided by the µs per request:
  a policy at ≥ 0.95 of (a) may add at most about 5 % to (a)'s µs per request. The machine has
  ${machine.cores} cores for the gateway, the backend and the load generator together. A protected-call run
  during which other processes used more than ${config.quietCores} cores is tried again (up to ${config.noisyRetries} extra
  attempt); every run counts for the best.
- **Requests/s** = 2xx answers ÷ the time from the start of the run to the last 2xx answer, so that
  requests cut off in flight at the end neither count nor stretch the time (bcrypt-bound requests at
  ${config.connections} connections finish in waves seconds apart). **p50/p99** are of 2xx answers, from autocannon's
  per-response times (sub-millisecond; its own histogram keeps whole milliseconds). With a few dozen
  answers per run, the p99 of a token-endpoint run is its slowest answer.
- **Protected calls**: \`GET /api/items\` through a pipeline whose API endpoint requires scope \`read\`;
  (b), (c), (e) and (g) carry a user-bound access token from the password grant of the same gateway,
  (d) an HS256 JWT (\`typ: at+jwt\`) signed by the bench for an outside issuer. Two rows are references, not
  targets: (f) is (a) plus EG's own \`headers\` policy forwarding nothing, what any second policy in a pipeline
  costs in EG before it does anything; (g) is (b) with the policy's \`identityHeaders: false\`, what the
  \`eg-token-*\` / \`eg-consumer-*\` headers cost (about 20 more header lines on every proxied request).
- **Token endpoint**: the client authenticates with HTTP Basic. Credentials are hashed with EG's
  default bcrypt cost (10), as in a deployment. \`refresh_token\` runs reuse one refresh token: the
  plugin runs with \`refreshToken.rotate: false\` (EG never rotates). \`authorization_code\` runs spend a
  pool of fresh codes fetched just before the run (the plugin: one sign-in and a remembered consent,
  then one authorization request per code; EG: a sign-in, then the consent dialog and its decision
  per code), sized from the client_credentials rate of the same gateway.
- **Sign-in throttle**: the plugin gateways run with \`login.maxFailuresPerUser\` and \`maxFailuresPerIp\` raised
  to 100000. The throttle counts an attempt before the password check and takes it back after a
  success, so with the defaults (5 and 20) concurrent password grants of one user are refused
  (\`invalid_grant\`, "Too many failed attempts") even with the right password: 1 of 8 and 6 of 32
  concurrent grants were when this was found. One user on one address at ${config.connections} connections is the
  load generator, not an attacker.
- **Real Redis**: ${config.redisUrl.replace(/\/\/[^@]*@/, '//')}, flushed before each gateway.
- Targets are ratios to (a) measured in the same run; a missed target is profiled by running that
  scenario once more with the gateway under \`node --cpu-prof\`.`;
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
    const grant = (name: string) => `${name} ${rate(rps(`plugin:${name}`) ?? 0)} req/s (EG's ${rate(rps(`builtin:${name}`) ?? 0)})`;
    return `- **${store === 'redis' ? 'Real Redis' : 'Emulated store'}**: protected calls at ${calls} of (a)'s ${rate(rps('a') ?? 0)} req/s. ` +
      `Token endpoint: ${grant('client_credentials')}, ${grant('password')}.`;
  });
  const met = targets.filter((t) => t.met).length;
  return [...lines, `- Targets: ${met} of ${targets.length} checks met.`].join('\n');
}

/** BENCH.md: the machine, the method, both stores' tables, the targets, memory and profiles. */
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
    methodSection(report)
  ];
  for (const store of report.results.stores()) {
    sections.push('', `## On ${STORE_TITLES[store]}`, '', '### Protected API calls', '', protectedTable(report.results, store),
      '', '### Token endpoint', '', tokenTable(report.results, store));
  }
  sections.push('', '## Targets', '', targetTable(report.targets));
  const missed = report.targets.filter((t) => !t.met);
  sections.push('', missed.length === 0 ? 'Every target was met.' : `${missed.length} of ${report.targets.length} checks missed; see the profiles below.`);
  if (report.memory) sections.push('', '## Redis memory per live token', '', memorySection(report.memory));
  if (report.profiles.length > 0) {
    sections.push('', '## Profiles of the missed targets', '',
      'Each missed scenario ran once more under `node --cpu-prof`. Only the samples taken during the',
      'measured load count (the gateway\'s start, seeding and token fetching are cut off); idle time is left out.');
    for (const run of report.references) sections.push('', profileSection(run, '(a), the reference', null));
    for (const run of report.profiles) {
      const why = explainMiss(run, report.results, report.references.find((r) => r.store === run.store));
      sections.push('', profileSection(run, LABELS[run.scenario] ?? run.scenario, why));
    }
  }
  return sections.join('\n') + '\n';
}
