import autocannon from 'autocannon';
import type { CpuUse } from './cpu-usage';
import type { FloodTally } from './flood';

/**
 * One HTTP request shape to repeat; `nextBody` gives each request its own body (e.g. a single-use code),
 * `nextHeaders` headers of its own over `headers` (e.g. a single-use DPoP proof).
 */
export interface LoadTarget {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  nextBody?: () => string;
  nextHeaders?: () => Record<string, string>;
  /**
   * Readies what a run of this shape will spend (e.g. fresh DPoP proofs), called before each run and before its
   * CPU is counted: what it costs is not measured.
   */
  prepare?: (shape: LoadShape) => Promise<void>;
}

export interface LoadShape {
  /** Seconds of measured load. */
  duration: number;
  connections: number;
  /** A number of requests instead of a duration. */
  amount?: number;
}

/** What one timed run measured. Latencies in milliseconds, of successful (2xx) responses only. */
export interface LoadResult {
  /**
   * 2xx answers per second, from the start of the run to the last 2xx
   * answer: requests cut off in flight at the end neither count nor stretch
   * the time. (bcrypt-bound requests at 32 connections finish in waves
   * seconds apart; dividing by the whole run would count a partial wave.)
   */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  /** Non-2xx answers, connection errors and timeouts together. */
  failed: number;
  /** When the run started and ended, in monotonic microseconds (to cut a gateway's CPU profile to it). */
  window: [number, number];
  /** Cores busy during the run: the gateway, and other work on the machine (see measureCpu). */
  cpu?: CpuUse | null;
  /** What a flood of wrong client secrets sent meanwhile got, when one ran (see bench/flood.ts). */
  flood?: FloodTally;
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** The q-quantile of sorted values, by the nearest-rank method. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** A request of the run with its own body or headers, when the target gives each request its own. */
function nextRequest(target: LoadTarget, request: autocannon.Request): autocannon.Request {
  const { nextBody, nextHeaders } = target;
  return {
    ...request,
    ...(nextBody ? { body: nextBody() } : {}),
    ...(nextHeaders ? { headers: { ...request.headers, ...nextHeaders() } } : {})
  };
}

/**
 * Drives one target with autocannon at fixed concurrency for a bounded time.
 * Latencies are collected from autocannon's `response` events rather than
 * its histogram, which keeps only whole milliseconds: too coarse to compare
 * p99s of a few milliseconds within 10 %.
 */
export function runLoad(target: LoadTarget, shape: LoadShape): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = monotonicMicros();
  let lastOk = started;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections: shape.connections,
        duration: shape.duration,
        amount: shape.amount,
        // bcrypt-bound endpoints queue 32 requests for seconds; a timeout would hide that latency.
        timeout: 60,
        requests:
          target.nextBody || target.nextHeaders
            ? [{ setupRequest: (request) => nextRequest(target, request) }]
            : undefined
      },
      (err, result) => {
        if (err) return reject(err);
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          rps: lastOk > started ? result['2xx'] / ((lastOk - started) / 1e6) : 0,
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          ok: result['2xx'],
          failed: result.non2xx + result.errors,
          window: [started, monotonicMicros()]
        });
      }
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode < 200 || statusCode >= 300) return;
      latencies.push(responseTime);
      lastOk = monotonicMicros();
    });
  });
}
