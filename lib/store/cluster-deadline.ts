import type { Cluster, Pipeline } from 'ioredis';
import { settledWithin } from '../eg/store-deadline';

/**
 * Every command, MULTI and pipeline of the plugin's cluster connection, given
 * up after `timeout` ms (then answered 503 temporarily_unavailable).
 *
 * ioredis 4's Cluster applies commandTimeout to single commands only: a MULTI
 * or pipeline sent to a primary that just crashed never settles, even once a
 * replica took over (measured here: it hung for as long as we waited, while
 * commands sent after the failover succeeded). Racing each call against its
 * deadline keeps a request from waiting on it; the lost call's late answer,
 * if any, is ignored.
 */
export function clusterWithDeadline(cluster: Cluster, timeout: number): Cluster {
  const bounded = (batch: Pipeline): Pipeline => {
    const exec = batch.exec.bind(batch);
    batch.exec = ((...args: Parameters<Pipeline['exec']>) => {
      // ioredis calls exec again itself to follow a MOVED answer: that call is its own, not the caller's.
      batch.exec = exec;
      return settledWithin(exec(...args), timeout);
    }) as Pipeline['exec'];
    return batch;
  };
  return new Proxy(cluster, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (name === 'multi' || name === 'pipeline')
        return (...args: unknown[]) => bounded(method.apply(target, args) as Pipeline);
      return (...args: unknown[]) => {
        const result = method.apply(target, args);
        return result instanceof Promise ? settledWithin(result, timeout) : result;
      };
    }
  });
}
