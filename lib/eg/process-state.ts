import { ReloadTracker } from './reload-tracker';

/**
 * What the plugin keeps for the life of the process, across EG's hot
 * reloads (EG runs init again, and builds every pipeline's policies again,
 * in the same process): caches, change feeds and their Redis
 * subscriptions, the bcrypt workers. One registry for all of it, so that
 * all of it reloads alike:
 * - a value is kept by name, and only while its configuration (everything
 *   its answers depend on) is the same; otherwise a new one is made;
 * - what a configuration EG has taken no longer needs (a value replaced,
 *   or asked for by nothing since that configuration's init) is disposed,
 *   listeners and connections with it, so nothing grows with the number of
 *   reloads. Only then: until EG keeps a new configuration, the previous
 *   one's pipelines still serve (see reload-tracker.ts);
 * - what the first init made is never disposed: when EG refuses a
 *   reloaded configuration, it mounts the routes the plugin declared at
 *   start again, with the objects they hold.
 */
interface Held {
  configuration: string;
  value: unknown;
  dispose(): void;
  /** The configuration it was last asked for under. */
  askedIn: number;
  /** Made by the first init, whose routes EG may mount again at any time. */
  pinned: boolean;
}

const held = new Map<string, Held>();
/** Replaced values, disposed once a configuration that does not use them is in force. */
let retired: Held[] = [];
let current = 0;
/** The first init's routes are mounted: what is made from now on is not pinned. */
let started = false;

function retire(one: Held): void {
  if (!one.pinned) retired.push(one);
}

/** Told after each sweep (the start line's companion: what is kept now). */
let taken: () => void = () => undefined;

/** Disposes what the configuration `inForce` does not use. */
function sweep(inForce: number): void {
  for (const [name, one] of held) {
    if (one.askedIn < inForce && !one.pinned) {
      held.delete(name);
      retired.push(one);
    }
  }
  const done = retired;
  retired = [];
  for (const one of done) one.dispose();
  taken();
}

/**
 * Calls `hook` whenever a configuration is in force alone and what it does not use is disposed (the latest init's
 * hook).
 */
export function onConfigurationTaken(hook: () => void): void {
  taken = hook;
}

/**
 * Told which configurations may be in force whenever that changes, by name (a later init's listener replaces an earlier
 * one's).
 */
const inForceListeners = new Map<string, (inForce: number[]) => void>();

const configurations = new ReloadTracker<number>((inForce) => {
  for (const listener of inForceListeners.values()) listener(inForce);
  const [alone] = inForce;
  if (inForce.length === 1 && alone !== undefined) sweep(alone);
});

/**
 * Calls `listener` with the configurations EG may be serving (the one it
 * kept and a newer one it has not refused yet) whenever that changes.
 */
export function whenInForce(name: string, listener: (inForce: number[]) => void): void {
  inForceListeners.set(name, listener);
}

/**
 * The value kept under `name`, or a new one from `make` when there is none
 * or its configuration differs (the old one is disposed once no
 * configuration in force can use it).
 */
export function keep<T>(name: string, configuration: string, make: () => T, dispose: (value: T) => void): T {
  const known = held.get(name);
  if (known && known.configuration === configuration) {
    known.askedIn = current;
    return known.value as T;
  }
  if (known) retire(known);
  const value = make();
  held.set(name, { configuration, value, dispose: () => dispose(value), askedIn: current, pinned: !started });
  return value;
}

let made = 0;

/** The value of the latest init under `name`: the one before is disposed as `keep` disposes a replaced value. */
export function latest<T>(name: string, make: () => T, dispose: (value: T) => void): T {
  return keep(name, `#${++made}`, make, dispose);
}

/** Called as init begins: a new configuration is being read. @returns its number, for configurationMounted. */
export function beginConfiguration(): number {
  current = configurations.begin();
  return current;
}

/** EG mounted the routes of that configuration: a new one, or the first one again (EG refused the newer). */
export function configurationMounted(configuration: number): void {
  if (configuration === 1) started = true;
  configurations.mounted(configuration, configuration);
}

/** What is kept, by name (for the log line that shows nothing grows across reloads). */
export function kept(): Array<[string, unknown]> {
  return [...held].map(([name, one]) => [name, one.value]);
}
