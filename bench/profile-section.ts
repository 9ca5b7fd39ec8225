import type { ProfiledRun } from './profile-run';
import { STORE_LABELS } from './store-names';
import { ms, rate } from './tables';

/** A profile's summary; `why` explains a missed target, a reference profile has none. */
export function profileSection(run: ProfiledRun, title: string, why: string | null): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  return [
    `### ${title} — ${STORE_LABELS[run.store]}`,
    '',
    `Profiled run: ${rate(run.result.rps)} req/s, p99 ${ms(run.result.p99)} ms; ${Math.round(run.summary.busyMs)} ms of gateway CPU sampled.`,
    '',
    ...(why ? [`**Why:** ${why}`, ''] : []),
    'Self time by package: ' +
      run.summary.byWhere
        .slice(0, 8)
        .map((h) => `${h.name} ${pct(h.share)}`)
        .join(', ') +
      '.',
    '',
    'The same with node core and native time charged to the package calling it: ' +
      run.summary.byOwner
        .slice(0, 8)
        .map((h) => `${h.name} ${pct(h.share)}`)
        .join(', ') +
      '.',
    '',
    '| Self time | Function | Package | Called from |',
    '| --- | --- | --- | --- |',
    ...run.summary.functions
      .slice(0, 10)
      .map((h) => `| ${pct(h.share)} | \`${h.name}\` | ${h.where} | ${h.callers.map((c) => `\`${c}\``).join(' ← ')} |`)
  ].join('\n');
}
