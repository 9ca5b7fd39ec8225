/**
 * Concurrent calls for the same key share one run of the work: the first
 * caller starts it, the others wait for its result. Nothing is kept once it
 * settles, so a later call runs the work again.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) return existing;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
