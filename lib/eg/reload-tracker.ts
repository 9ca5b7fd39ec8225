/**
 * EG accepts a hot-reloaded gateway.config only once it has built its
 * pipelines, after the plugin's init and routes; when it refuses the
 * configuration, it keeps the pipelines it had and mounts the routes the
 * plugin declared at start once more. It says neither to the plugin. This
 * tracks which configurations' values may be in force: the one last served,
 * and a newer one until EG refuses it (its older routes are mounted again)
 * or ACCEPTED_AFTER_MS passes, or a newer one comes.
 */
const ACCEPTED_AFTER_MS = 5000;

export class ReloadTracker<T> {
  private generations = 0;
  private latest = 0;
  private served: T | null = null;
  private pending: T | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** @param changed called with what may be in force, whenever that changes. */
  constructor(private readonly changed: (inForce: T[]) => void) {}

  /** A number for the configuration an init is reading (higher is newer). */
  begin(): number {
    return ++this.generations;
  }

  /** EG mounted the routes of that configuration: a new one, or an older one again (then EG refused the newer). */
  mounted(generation: number, value: T): void {
    if (generation > this.latest) {
      const first = this.latest === 0;
      this.latest = generation;
      // The one before came through: a refusal would have mounted older routes.
      if (this.pending !== null) this.served = this.pending;
      if (first)
        this.served = value; // at start EG serves nothing else
      else this.pending = value;
      this.wait();
    } else if (generation < this.latest && this.pending !== null) {
      this.pending = null;
      this.latest = generation;
    }
    this.changed(this.inForce());
  }

  private wait(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.pending === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending === null) return;
      this.served = this.pending;
      this.pending = null;
      this.changed(this.inForce());
    }, ACCEPTED_AFTER_MS).unref();
  }

  private inForce(): T[] {
    return [this.served, this.pending].filter((value): value is T => value !== null);
  }
}
