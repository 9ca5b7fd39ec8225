import type { LoadResult } from './load';
import type { StoreName } from './stores';

/** Every measured run, by store and scenario id, in the order they ran. */
export class Results {
  private readonly runs = new Map<StoreName, Map<string, LoadResult[]>>();

  /** @param quietCores the most cores other processes may have used for a run to count as quiet. */
  constructor(private readonly quietCores: number) {}

  /** Whether other work on the machine left this run alone (unknown counts as quiet). */
  quiet(run: LoadResult): boolean {
    return !run.cpu || run.cpu.others <= this.quietCores;
  }

  add(store: StoreName, id: string, result: LoadResult): void {
    const byId = this.runs.get(store) ?? new Map<string, LoadResult[]>();
    byId.set(id, [...(byId.get(id) ?? []), result]);
    this.runs.set(store, byId);
  }

  stores(): StoreName[] {
    return [...this.runs.keys()];
  }

  all(store: StoreName, id: string): LoadResult[] {
    return this.runs.get(store)?.get(id) ?? [];
  }

  /**
   * The run with the most requests/s, with that same run's latencies:
   * interference on a shared 2-core machine only ever slows a run down, so
   * the best run is the closest to what the code can do.
   */
  best(store: StoreName, id: string): LoadResult | undefined {
    return this.all(store, id).reduce<LoadResult | undefined>(
      (best, run) => (!best || run.rps > best.rps ? run : best),
      undefined
    );
  }
}
