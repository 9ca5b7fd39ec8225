import { isStoreName, STORE_NAMES, StoreName } from './store-names';

/** Where the bench is told what to run: environment variables, each with the default of a full run. */
export interface BenchConfig {
  /** Seconds of load per measured protected-call run (BENCH_DURATION). */
  duration: number;
  /**
   * Seconds per token-endpoint run (BENCH_TOKEN_DURATION). At 32 connections
   * a bcrypt-bound password grant waits about 5 s: a run must see at least
   * one wave of answers.
   */
  tokenDuration: number;
  /** Seconds per profiled run of a missed target (BENCH_PROFILE_DURATION). */
  profileDuration: number;
  /**
   * Unmeasured requests before each protected-call run, so every gateway is measured warm (BENCH_WARMUP_REQUESTS).
   * At least 10,000: until Node.js has seen 10,000 calls of the deprecated `Buffer()` (EG's request ids, uuid62),
   * it takes a stack trace at each to see whether to warn, which costs every gateway alike tens of µs per request.
   */
  warmup: number;
  /** Concurrent connections of the load generator (BENCH_CONNECTIONS). */
  connections: number;
  /**
   * How many times the set of gateways runs on each store (BENCH_REPEATS).
   * Short runs repeated, best kept: on a shared 2-core machine other work
   * comes in bursts, and a burst only ever slows a run down.
   */
  repeats: number;
  /**
   * In how many of those repeats the token-endpoint scenarios run too (BENCH_TOKEN_REPEATS): they are bcrypt-bound and
   * steady.
   */
  tokenRepeats: number;
  /**
   * The stores to run on, in order (BENCH_STORES: emulated,redis,cluster). `cluster` keeps EG's data on the real
   * Redis and the plugin's on a Redis Cluster the bench starts.
   */
  stores: StoreName[];
  /** The real Redis of `redis` and `cluster`; DB index 14 is the bench's own and is flushed (BENCH_REDIS_URL). */
  redisUrl: string;
  /**
   * A run is quiet when other processes of the machine kept at most this many
   * cores busy meanwhile (BENCH_QUIET_CORES); a protected-call run that was not is tried again.
   */
  quietCores: number;
  /** Extra attempts of a protected-call run that was not quiet (BENCH_NOISY_RETRIES). */
  noisyRetries: number;
  /** Tokens issued per kind for the memory measurement (BENCH_MEMORY_TOKENS). */
  memoryTokens: number;
  /** Profile each missed target with --cpu-prof (BENCH_PROFILE=0 turns it off). */
  profile: boolean;
  /** The report written at the end (BENCH_OUT). */
  out: string;
  /** Only these scenarios, e.g. `a,b,c` (BENCH_SCENARIOS; default all): for quick comparisons, not for BENCH.md. */
  scenarios: string[] | null;
  /**
   * Wrong client secrets per second sent by the floods of (i) and (j) (BENCH_FLOOD_RATE). The security
   * review of issue 15 saw about 6 a second take protected calls from 15 ms to seconds.
   */
  floodRate: number;
  /**
   * Clients the distributed flood (j) sends wrong secrets for, in turn (BENCH_FLOOD_CLIENTS). Each locks
   * after clientAuth.maxFailuresPerClient (10) failures: 200 at 50 a second last 40 s, longer than
   * the warm-up and the measured runs under it. Each is seeded with a bcrypt hash, about 0.1 s of gateway CPU.
   */
  floodClients: number;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

export function benchConfig(): BenchConfig {
  const stores = (process.env.BENCH_STORES ?? STORE_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const store of stores) {
    if (!isStoreName(store)) throw new TypeError(`BENCH_STORES: unknown store ${store} (${STORE_NAMES.join(', ')})`);
  }
  return {
    duration: positive('BENCH_DURATION', 6),
    tokenDuration: positive('BENCH_TOKEN_DURATION', 6),
    profileDuration: positive('BENCH_PROFILE_DURATION', 4),
    warmup: positive('BENCH_WARMUP_REQUESTS', 12000),
    connections: positive('BENCH_CONNECTIONS', 32),
    repeats: Math.max(1, positive('BENCH_REPEATS', 3)),
    tokenRepeats: Math.max(1, positive('BENCH_TOKEN_REPEATS', 2)),
    stores: stores as StoreName[],
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
    quietCores: positive('BENCH_QUIET_CORES', 0.25),
    noisyRetries: positive('BENCH_NOISY_RETRIES', 1),
    memoryTokens: positive('BENCH_MEMORY_TOKENS', 1000),
    profile: process.env.BENCH_PROFILE !== '0',
    out: process.env.BENCH_OUT ?? 'BENCH.md',
    scenarios: process.env.BENCH_SCENARIOS ? process.env.BENCH_SCENARIOS.split(',').map((s) => s.trim()) : null,
    floodRate: positive('BENCH_FLOOD_RATE', 50),
    floodClients: Math.max(1, positive('BENCH_FLOOD_CLIENTS', 200))
  };
}
