/**
 * What the plugin keeps for the life of the process, across EG's hot
 * reloads (EG runs init again, and builds every pipeline's policies again,
 * in the same process): caches, change feeds and their Redis
 * subscriptions, the bcrypt workers. One registry for all of it, so that
 * all of it reloads alike:
 * - a value is kept by name, and only while its configuration (everything
 *   its answers depend on) is the same; otherwise the old one is disposed
 *   (its listeners and connections with it) and a new one made;
 * - at each reload, what nothing asked for since the reload before (a
 *   pipeline step that is gone, say) is disposed too, so nothing grows with
 *   the number of reloads.
 */
interface Held {
  configuration: string;
  value: unknown;
  dispose(): void;
  /** The reload it was last asked for in. */
  askedIn: number;
}

const held = new Map<string, Held>();
let reloads = 0;

/**
 * The value kept under `name`, or a new one from `make` when there is none
 * or its configuration differs (then the old one is disposed first).
 */
export function keep<T>(name: string, configuration: string, make: () => T, dispose: (value: T) => void): T {
  const known = held.get(name);
  if (known && known.configuration === configuration) {
    known.askedIn = reloads;
    return known.value as T;
  }
  if (known) {
    held.delete(name);
    known.dispose();
  }
  const value = make();
  held.set(name, { configuration, value, dispose: () => dispose(value), askedIn: reloads });
  return value;
}

let replaced = 0;

/**
 * The value of the latest init under `name`: each call disposes the one
 * before (an object a reload replaces, whose feed listeners must go with it).
 */
export function latest<T>(name: string, make: () => T, dispose: (value: T) => void): T {
  return keep(name, `#${++replaced}`, make, dispose);
}

/**
 * Called as init begins: a new configuration is being read. What was not
 * asked for under the configuration before (its init and its pipelines)
 * is disposed now.
 */
export function beginConfiguration(): void {
  reloads += 1;
  for (const [name, one] of held) {
    if (one.askedIn < reloads - 1) {
      held.delete(name);
      one.dispose();
    }
  }
}

/** What is kept, by name (for the log line that shows nothing grows across reloads). */
export function kept(): Array<[string, unknown]> {
  return [...held].map(([name, one]) => [name, one.value]);
}
