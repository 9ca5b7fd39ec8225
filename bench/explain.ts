import type { LoadResult } from './load';
import type { ProfiledRun } from './profile-run';
import type { Results } from './results';

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
/** Gateway CPU per request of a run, in µs: the cores it kept busy over its requests/s. */
export const microsPerRequest = (run: LoadResult | undefined) =>
  run?.cpu && run.rps > 0 ? (run.cpu.gateway * 1e6) / run.rps : undefined;

/**
 * Where a profiled run's extra CPU per request went, against the profile of
 * the open pipeline (a) on the same store: µs per request by owning package
 * (node core time charged to its caller), largest growth first.
 */
function extraByPackage(run: ProfiledRun, reference: ProfiledRun): string[] {
  const mine = microsPerRequest(run.result);
  const open = microsPerRequest(reference.result);
  if (mine === undefined || open === undefined) return [];
  const before = new Map(reference.summary.byOwner.map((h) => [h.name, h.share * open]));
  return run.summary.byOwner
    .map((h) => ({ name: h.name, extra: h.share * mine - (before.get(h.name) ?? 0) }))
    .filter((h) => h.extra >= 5)
    .sort((x, y) => y.extra - x.extra)
    .slice(0, 6)
    .map((h) => `${h.name} +${Math.round(h.extra)} µs`);
}

/**
 * Why a protected call misses: the gateway CPU it costs per request beyond
 * (a)'s, which is all that can lower requests/s with the gateway at one
 * core, and where that extra goes.
 */
function protectedCall(run: ProfiledRun, results: Results, reference: ProfiledRun | undefined): string {
  const { store } = run;
  const mine = microsPerRequest(results.best(store, run.scenario));
  const open = microsPerRequest(results.best(store, 'a'));
  const cost =
    mine !== undefined && open !== undefined
      ? `In the best runs the gateway spent ${Math.round(mine)} µs of CPU per request against ${Math.round(open)} µs for (a): ` +
        `${Math.round(mine - open)} µs (${pct(mine / open - 1)}) more, where ≥ 0.95 of (a)'s requests/s allows about ${Math.round(open * (1 / 0.95 - 1))} µs. `
      : '';
  const extra = reference ? extraByPackage(run, reference) : [];
  const where =
    extra.length > 0
      ? `Against the profile of (a) (${Math.round(microsPerRequest(reference!.result) ?? 0)} µs per request under the profiler, ` +
        `${Math.round(microsPerRequest(run.result) ?? 0)} µs here), the extra went to (node core time charged to the package calling it): ${extra.join(', ')}. `
      : '';
  const hot = run.summary.functions
    .filter((h) => ['plugin', 'jose', 'ioredis', 'ioredis-mock'].includes(h.where))
    .slice(0, 3)
    .map((h) => `\`${h.name}\` (${h.where}, ${pct(h.share)})`);
  return (
    cost +
    where +
    (hot.length > 0 ? `The heaviest functions of the policy and its libraries: ${hot.join(', ')}.` : '')
  ).trim();
}

/**
 * Why a grant misses: the gateway CPU one issuance costs against (a)'s per
 * request (a share s of (a)'s requests/s allows about 1/s times it), and where the
 * event loop's time goes by package. bcrypt runs on worker threads, which
 * the profile (of the main thread) does not see.
 */
function tokenRequest(run: ProfiledRun, results: Results): string {
  const { store } = run;
  const mine = microsPerRequest(results.best(store, run.scenario));
  const open = microsPerRequest(results.best(store, 'a'));
  const cost =
    mine !== undefined && open !== undefined
      ? `In the best run the gateway spent ${Math.round(mine)} µs of CPU per token against ${Math.round(open)} µs per proxied call of (a) ` +
        `(${(mine / open).toFixed(1)}×). `
      : '';
  const owners = run.summary.byOwner
    .slice(0, 6)
    .map((h) => `${h.name} ${pct(h.share)}`)
    .join(', ');
  const why =
    'bcrypt runs on worker threads, outside this profile of the event loop (and only once per secret: then it is recalled); ' +
    `the event loop's time by package (node core time charged to its caller): ${owners}.`;
  return cost + why;
}

/**
 * Why a protected call under a flood misses: its p99 against (h)'s, what
 * the gateway process used (its bcrypt worker threads included, which the
 * main thread's profile below does not show) and what the flood got.
 */
function floodedCall(run: ProfiledRun, results: Results): string {
  const { store } = run;
  const [flooded, calm] = [results.best(store, run.scenario), results.best(store, 'h')];
  if (!flooded || !calm) return '';
  const cores = (r: LoadResult) =>
    r.cpu ? `${r.cpu.gateway.toFixed(2)} cores (others ${r.cpu.others.toFixed(2)})` : 'unknown';
  const f = flooded.flood;
  const got = f
    ? `The flood sent ${f.sent} wrong secrets in the run: ${f.invalidClient} were checked (401), ${f.locked} refused as locked, ${f.busy} refused as busy (503). `
    : '';
  return (
    `In the best runs p99 was ${flooded.p99.toFixed(1)} ms under the flood against ${calm.p99.toFixed(1)} ms without it (${(flooded.p99 / calm.p99).toFixed(2)}×). ` +
    `The gateway process kept ${cores(flooded)} busy against ${cores(calm)} without it; its bcrypt worker threads share the machine's cores ` +
    `with its event loop, the backend and both load generators. ${got}The profile below is of the gateway's main thread only.`
  );
}

/**
 * A short, measured explanation of a missed target, from its profile and
 * the best runs; `reference` is the profile of (a) on the same store.
 */
export function explainMiss(run: ProfiledRun, results: Results, reference?: ProfiledRun): string {
  if (run.scenario.includes(':')) return tokenRequest(run, results);
  return run.result.flood ? floodedCall(run, results) : protectedCall(run, results, reference);
}
