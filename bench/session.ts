import { seedWorld } from '../demo/admin-client';
import { startGateway } from '../test/helpers/gateway';
import type { BenchConfig } from './config';
import { GatewayKind, gatewayOptions } from './gateways';
import { LoadResult, runLoad } from './load';
import type { Scenario, ScenarioContext } from './scenarios';
import type { Store } from './stores';

let boots = 0;

export interface SessionOptions {
  kind: GatewayKind;
  scenarios: Scenario[];
  store: Store;
  backendUrl: string;
  config: Pick<BenchConfig, 'duration' | 'tokenDuration' | 'warmup' | 'connections'>;
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
  const gateway = await startGateway(gatewayOptions(kind, options.backendUrl, store, namespace, { nodeArgs: options.nodeArgs }));
  try {
    const seeded = await seedWorld(gateway.admin, { scopes: ['read', 'write'] });
    const ctx: ScenarioContext = {
      url: gateway.url,
      client: { id: seeded.app.id, secret: seeded.app.secret, redirectUri: 'http://127.0.0.1:8000/callback' },
      user: seeded.user,
      tokenDuration: config.tokenDuration,
      earlier: new Map()
    };
    for (const scenario of options.scenarios) {
      const target = await scenario.target(ctx);
      if (scenario.warm && config.warmup > 0) await runLoad(target, { duration: config.warmup, connections: config.connections });
      const duration = scenario.warm ? config.duration : config.tokenDuration;
      const result = await runLoad(target, { duration, connections: config.connections });
      ctx.earlier.set(scenario.id, result);
      options.onResult(scenario.id, result);
    }
  } finally {
    await gateway.stop();
  }
}
