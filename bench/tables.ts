import type { LoadResult } from './load';
import type { Results } from './results';
import { GRANTS, LABELS } from './scenarios';
import type { StoreName } from './stores';
import type { TargetCheck } from './targets';

export const rate = (value: number) => (value < 100 ? value.toFixed(1) : Math.round(value).toString());
export const ms = (value: number) =>
  Number.isNaN(value)
    ? '–'
    : value < 10
      ? value.toFixed(2)
      : value < 100
        ? value.toFixed(1)
        : Math.round(value).toString();
const times = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2));

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

/** Each repeat's req/s, in run order, and the failures of the best one. */
function repeats(results: Results, store: StoreName, id: string): string {
  return results
    .all(store, id)
    .map((r) => rate(r.rps))
    .join(' / ');
}

function failed(run: LoadResult | undefined): string {
  return run && run.failed > 0 ? ` (${run.failed} failed)` : '';
}

/** Protected API calls (or introspection requests, `ids`): each gateway against (a) and (e). */
export function protectedTable(
  results: Results,
  store: StoreName,
  ids = ['a', 'f', 'b', 'm', 'g', 'c', 'd', 'e']
): string {
  const open = results.best(store, 'a');
  const builtin = results.best(store, 'e');
  const rows = ids.map((id) => {
    const run = results.best(store, id);
    if (!run) return [LABELS[id], '–', '–', '–', '–', '–', '–', '–', '–', '–'];
    return [
      LABELS[id],
      rate(run.rps) + failed(run),
      ms(run.p50),
      ms(run.p99),
      times(open && run.rps / open.rps),
      times(open && run.p99 / open.p99),
      times(builtin && run.rps / builtin.rps),
      run.cpu ? Math.round((run.cpu.gateway * 1e6) / run.rps).toString() : '–',
      run.cpu
        ? `${run.cpu.gateway.toFixed(2)} / ${run.cpu.others.toFixed(2)}${results.quiet(run) ? '' : ' (not quiet)'}`
        : '–',
      repeats(results, store, id)
    ];
  });
  return table(
    [
      'Gateway',
      'req/s',
      'p50 ms',
      'p99 ms',
      'req/s ÷ (a)',
      'p99 ÷ (a)',
      'req/s ÷ (e)',
      'gateway CPU µs per request',
      'cores: gateway / others',
      'req/s of each run'
    ],
    rows
  );
}

/**
 * The same protected call without a flood, (h), and under each flood of wrong
 * client secrets, (i) and (j), with what the flood's answers were meanwhile.
 */
export function floodTable(results: Results, store: StoreName): string {
  const calm = results.best(store, 'h');
  const rows = ['h', 'i', 'j'].map((id) => {
    const run = results.best(store, id);
    if (!run) return [LABELS[id], ...new Array(12).fill('–')];
    const flood = run.flood;
    const answers = flood
      ? [flood.invalidClient, flood.locked, flood.busy, flood.other + flood.errors].map(String)
      : ['–', '–', '–', '–'];
    return [
      LABELS[id],
      rate(run.rps) + failed(run),
      ms(run.p50),
      ms(run.p99),
      times(calm && run.p50 / calm.p50),
      times(calm && run.p99 / calm.p99),
      flood && flood.seconds > 0 ? rate(flood.sent / flood.seconds) : '–',
      ...answers,
      run.cpu
        ? `${run.cpu.gateway.toFixed(2)} / ${run.cpu.others.toFixed(2)}${results.quiet(run) ? '' : ' (not quiet)'}`
        : '–',
      repeats(results, store, id)
    ];
  });
  return table(
    [
      'Gateway',
      'req/s',
      'p50 ms',
      'p99 ms',
      'p50 ÷ (h)',
      'p99 ÷ (h)',
      'wrong secrets sent/s',
      '401 invalid_client',
      '401 locked',
      '503 busy',
      'other answers, errors',
      'cores: gateway / others',
      'req/s of each run'
    ],
    rows
  );
}

const GRANT_LABELS: Record<string, string> = {
  client_credentials: 'client_credentials',
  password: 'password',
  refresh_token: 'refresh_token (rotate: false)',
  authorization_code: 'authorization_code exchange'
};

/** The token endpoint, grant by grant: the plugin against EG's built-in policy, both against (a). */
export function tokenTable(results: Results, store: StoreName): string {
  const open = results.best(store, 'a');
  const rows = GRANTS.map((grant) => {
    const plugin = results.best(store, `plugin:${grant}`);
    const builtin = results.best(store, `builtin:${grant}`);
    const cells = (run: LoadResult | undefined) =>
      run ? [rate(run.rps) + failed(run), ms(run.p50), ms(run.p99)] : ['–', '–', '–'];
    return [
      GRANT_LABELS[grant],
      ...cells(plugin),
      times(plugin && open && plugin.rps / open.rps),
      ...cells(builtin),
      times(plugin && builtin && plugin.rps / builtin.rps),
      times(plugin && builtin && plugin.p99 / builtin.p99)
    ];
  });
  return table(
    [
      'Grant',
      'plugin req/s',
      'p50 ms',
      'p99 ms',
      'req/s ÷ (a)',
      'EG built-in req/s',
      'p50 ms',
      'p99 ms',
      'req/s ÷ (e)',
      'p99 ÷ (e)'
    ],
    rows
  );
}

export function targetTable(checks: TargetCheck[]): string {
  return table(
    ['Store', 'Target', 'Measured', 'Result'],
    checks.map((c) => [c.store, c.goal, times(c.measured), c.met ? 'met' : '**missed**'])
  );
}
