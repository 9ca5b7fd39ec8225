import type { Results } from './results';
import type { StoreName } from './stores';

/** One target of issue 8, as measured on one store. */
export interface TargetCheck {
  store: StoreName;
  /** The scenario whose run decides it (the one to profile when missed). */
  scenario: string;
  goal: string;
  measured: number;
  limit: number;
  met: boolean;
}

const PROTECTED = ['b', 'c', 'd'];

/**
 * The targets, each a ratio to (a) measured in the same run: protected calls
 * at ≥ 0.95 of (a)'s requests/s with p99 at most 1.10× (a)'s;
 * client_credentials issuance at ≥ 0.5 of (a)'s requests/s, the password
 * grant at ≥ 0.3.
 */
export function checkTargets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const store of results.stores()) {
    const open = results.best(store, 'a');
    if (!open) continue;
    const ratio = (id: string, goal: string, limit: number, measure: 'rps' | 'p99') => {
      const run = results.best(store, id);
      if (!run) return;
      const measured = measure === 'rps' ? run.rps / open.rps : run.p99 / open.p99;
      checks.push({ store, scenario: id, goal, measured, limit, met: measure === 'rps' ? measured >= limit : measured <= limit });
    };
    for (const id of PROTECTED) {
      ratio(id, `(${id}) req/s ≥ 0.95 × (a)`, 0.95, 'rps');
      ratio(id, `(${id}) p99 ≤ 1.10 × (a)`, 1.10, 'p99');
    }
    ratio('plugin:client_credentials', 'client_credentials req/s ≥ 0.5 × (a)', 0.5, 'rps');
    ratio('plugin:password', 'password req/s ≥ 0.3 × (a)', 0.3, 'rps');
  }
  return checks;
}
