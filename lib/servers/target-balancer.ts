import { randomInt } from 'crypto';
import type { Upstream } from './server-entry';

/**
 * Janus's upstreams.balancing over an endpoint's targets (motiv-labs/janus
 * pkg/proxy/balancer): `roundrobin` takes each target in turn, `weight`
 * picks one at random in proportion to its weight (a weight of 0 is never
 * picked). The answer also lists the remaining targets in order after the
 * elected one: where a target cannot be reached, the request goes to the
 * next (Janus itself has no failover; the issue asks for it).
 */
export class TargetBalancer {
  /** Round-robin positions, by endpoint; an entry change starts its count again. */
  private readonly turns = new Map<string, number>();

  /** @param key names the endpoint (server and endpoint name), for its round-robin turn. */
  order(key: string, upstream: Upstream): string[] {
    const targets = upstream.targets ?? [{ url: upstream.url }];
    if (upstream.balancing === 'weight') return this.byWeight(targets);
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, (turn + 1) % targets.length);
    return [...targets.slice(turn), ...targets.slice(0, turn)].map(({ url }) => url);
  }

  /** Forgets the turns: the endpoints' targets may have changed. */
  reset(): void {
    this.turns.clear();
  }

  private byWeight(targets: Array<{ url: string; weight?: number }>): string[] {
    const weighed = targets.filter(({ weight }) => (weight ?? 0) > 0);
    const total = weighed.reduce((sum, { weight }) => sum + weight!, 0);
    // An entry stored before weights were checked may have none: its targets are then taken in order, as before.
    if (total === 0) return targets.map(({ url }) => url);
    let draw = randomInt(total);
    const elected = weighed.findIndex(({ weight }) => (draw -= weight!) < 0);
    return [...weighed.slice(elected), ...weighed.slice(0, elected)].map(({ url }) => url);
  }
}
