import { seedWorld } from '../demo/admin-client';
import { startGateway } from '../test/helpers/gateway';
import type { BenchConfig } from './config';
import { GatewayKind, gatewayOptions } from './gateways';
import { measureCpu } from './cpu-usage';
import { LoadResult, runLoad } from './load';
import type { Scenario, ScenarioContext } from './scenarios';
import type { Store } from './stores';

let boots = 0;

export interface SessionOptions {
  kind: GatewayKind;
  scenarios: Scenario[];
  store: Store;
  backend: { url: string; pid: number };
  config: Pick<BenchConfig, 'duration' | 'tokenDuration' | 'warmup' | 'connections' | 'quietCores' | 'noisyRetries'>;
  /** Extra node flags for the gateway (--cpu-prof). */
  nodeArgs?: string[];
  /** Called after each measured run. */
  onResult(id: string, result: LoadResult): void;
}

/**
 * Boots one gateway on an empty store, seeds a user and a confidential
 * client through EG's admin API, runs the scenarios meant for it one after
 * another, and stops it: one gateway runs at a time.
 */
export async function runSession(options: SessionOptions): Promise<void> {
  const { kind, store, config } = options;
  // Each gateway starts from an empty database; the bench owns this DB index.
  await store.client?.flushdb();
  const namespace = `bench${++boots}${kind}`;
  const gateway = await startGateway(gatewayOptions(kind, options.backend.url, store, namespace, { nodeArgs: options.nodeArgs }));
  try {
    const seeded = await seedWorld(gateway.admin, { scopes: ['read', 'write'] });
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
      await runLoad({ url: `${gateway.url}/api/items`, method: 'GET', headers: {} }, { duration: 0, amount: config.warmup, connections: config.connections });
    }
    for (const scenario of options.scenarios) {
      const target = await scenario.target(ctx);
      if (scenario.warm && config.warmup > 0) await runLoad(target, { duration: 0, amount: config.warmup, connections: config.connections });
      const duration = scenario.warm ? config.duration : config.tokenDuration;
      // A protected-call run that other work on the machine disturbed is tried again (token runs are long and bcrypt-bound).
      const attempts = scenario.warm ? 1 + config.noisyRetries : 1;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const cpuSince = measureCpu(gateway.process.pid!, [process.pid, options.backend.pid]);
        const result = { ...await runLoad(target, { duration, connections: config.connections }), cpu: cpuSince() };
        ctx.earlier.set(scenario.id, result);
        options.onResult(scenario.id, result);
        if (!result.cpu || result.cpu.others <= config.quietCores) break;
      }
    }
  } finally {
    await gateway.stop();
  }
}
