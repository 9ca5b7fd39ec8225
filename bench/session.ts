import { seedWorld } from '../support/admin-client';
import { RunningGateway, startGateway } from '../support/gateway';
import type { BenchConfig } from './config';
import { GatewayKind, gatewayOptions } from './gateways';
import { measureCpu } from './cpu-usage';
import { Flood, startFlood, tallySince } from './flood';
import { seedFloodClients } from './flood-clients';
import { LoadResult, runLoad } from './load';
import type { Scenario, ScenarioContext } from './scenarios';
import type { Store } from './stores';

let boots = 0;

export interface SessionOptions {
  kind: GatewayKind;
  scenarios: Scenario[];
  store: Store;
  backend: { url: string; pid: number };
  config: Pick<
    BenchConfig,
    | 'duration'
    | 'tokenDuration'
    | 'warmup'
    | 'connections'
    | 'quietCores'
    | 'noisyRetries'
    | 'floodRate'
    | 'floodClients'
  >;
  /** Extra node flags for the gateway (--cpu-prof). */
  nodeArgs?: string[];
  /** Called after each measured run. */
  onResult(id: string, result: LoadResult): void;
}

/**
 * The flood of a scenario, started once its token is fetched: the naive one
 * on a client of its own, the distributed one on all the others, so that
 * neither locks the client the scenarios fetch their tokens with.
 */
function floodFor(scenario: Scenario, gateway: RunningGateway, clients: string[], rate: number): Promise<Flood> | null {
  if (!scenario.flood) return null;
  const [naive, ...distributed] = clients;
  return startFlood({
    tokenUrl: `${gateway.url}/oauth2/token`,
    shape: scenario.flood,
    rate,
    clients: scenario.flood === 'naive' ? [naive] : distributed
  });
}

/**
 * Boots one gateway on an empty store, seeds a user and a confidential
 * client through EG's admin API (and the clients of the floods when a
 * scenario has one), runs the scenarios meant for it one after another, and
 * stops it: one gateway runs at a time.
 */
export async function runSession(options: SessionOptions): Promise<void> {
  const { kind, store, config } = options;
  // Each gateway starts from an empty store; the bench owns its databases.
  await store.flush();
  const namespace = `bench${++boots}${kind}`;
  const gateway = await startGateway(
    gatewayOptions(kind, options.backend.url, store, namespace, { nodeArgs: options.nodeArgs })
  );
  try {
    const seeded = await seedWorld(gateway.admin, { scopes: ['read', 'write'] });
    const floodClients = options.scenarios.some((s) => s.flood)
      ? await seedFloodClients(gateway.admin, seeded.developer.id, 1 + config.floodClients)
      : [];
    const ctx: ScenarioContext = {
      url: gateway.url,
      client: { id: seeded.app.id, secret: seeded.app.secret, redirectUri: 'http://127.0.0.1:8000/callback' },
      user: seeded.user,
      tokenDuration: config.tokenDuration,
      earlier: new Map()
    };
    // A gateway whose first scenario has no warm-up of its own (a token endpoint run, as when profiled alone) is warmed
    // with unauthenticated API calls: past Node's first 10,000 Buffer() deprecation checks, which any request pays.
    if (options.scenarios[0] && !options.scenarios[0].warm && config.warmup > 0) {
      await runLoad(
        { url: `${gateway.url}/api/items`, method: 'GET', headers: {} },
        { duration: 0, amount: config.warmup, connections: config.connections }
      );
    }
    for (const scenario of options.scenarios) {
      const target = await scenario.target(ctx);
      // A flood runs through the warm-up too: the measured runs see it steady (the bcrypt queue full, the naive client
      // locked).
      const flood = await floodFor(scenario, gateway, floodClients, config.floodRate);
      try {
        if (scenario.warm && config.warmup > 0) {
          const warmup = { duration: 0, amount: config.warmup, connections: config.connections };
          await target.prepare?.(warmup);
          await runLoad(target, warmup);
        }
        const shape = {
          duration: scenario.warm ? config.duration : config.tokenDuration,
          connections: config.connections
        };
        // A protected-call run that other work on the machine disturbed is tried again (token runs are long and
        // bcrypt-bound).
        const attempts = scenario.warm ? 1 + config.noisyRetries : 1;
        for (let attempt = 1; attempt <= attempts; attempt++) {
          await target.prepare?.(shape);
          const floodBefore = await flood?.tally();
          const cpuSince = measureCpu(gateway.process.pid!, [
            process.pid,
            options.backend.pid,
            ...(flood ? [flood.pid] : [])
          ]);
          const run = await runLoad(target, shape);
          const result: LoadResult = { ...run, cpu: cpuSince() };
          if (flood && floodBefore) result.flood = tallySince(await flood.tally(), floodBefore);
          ctx.earlier.set(scenario.id, result);
          options.onResult(scenario.id, result);
          if (!result.cpu || result.cpu.others <= config.quietCores) break;
        }
      } finally {
        await flood?.stop();
      }
    }
  } finally {
    await gateway.stop();
  }
}
