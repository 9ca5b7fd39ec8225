import { microsPerRequest } from './explain';
import type { Results } from './results';
import type { StoreName } from './stores';

/** Gateway CPU per request, in µs, of each token check on one store, from the best runs (undefined: not run). */
export interface CheckCosts {
  /** The bearer check: (b) less (a), the policy on its hot path with a recalled token. */
  bearer: number | undefined;
  /** The DPoP proof check on top of it: (m) less (b). */
  proof: number | undefined;
}

export function checkCosts(results: Results, store: StoreName): CheckCosts {
  const [open, bearer, bound] = ['a', 'b', 'm'].map((id) => microsPerRequest(results.best(store, id)));
  const less = (mine: number | undefined, base: number | undefined) =>
    mine !== undefined && base !== undefined ? mine - base : undefined;
  return { bearer: less(bearer, open), proof: less(bound, bearer) };
}

const micros = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)} µs`);

/** What a DPoP proof costs per call next to a bearer token's check, under a store's protected-call table. */
export function proofCostSentence(results: Results, store: StoreName): string {
  const { bearer, proof } = checkCosts(results, store);
  return (
    `Gateway CPU per request: the bearer check ${micros(bearer)} ((b) − (a)); the DPoP proof check ` +
    `${micros(proof)} on top of it ((m) − (b)).`
  );
}
