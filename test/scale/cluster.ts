import { SeededWorld, seedWorld } from '../../support/admin-client';
import { startEchoBackend } from '../../support/echo-backend';
import { RunningGateway, startGateway } from '../../support/gateway';
import { ecKeyPair } from '../helpers/keys';
import { LoadBalancer, startLoadBalancer } from '../helpers/load-balancer';

/** Three gateway processes on one real Redis, behind a round-robin load balancer. */
export interface Cluster extends SeededWorld {
  balancer: LoadBalancer;
  instances: RunningGateway[];
  /** The echo backend behind /api; its /callback plays the client's redirect endpoint. */
  backendUrl: string;
  stop(): Promise<void>;
}

/** The reason the suites of this folder give when they skip. */
export const NEEDS_REDIS = 'several instances share state only on a real Redis: set REDIS_URL';

/**
 * Starts three instances with the same namespace and identical settings,
 * as an operator deploys them: the balancer's URL as issuer, one session
 * secret, one signing key, one proxy in front (trustProxy), and `extra`.
 */
export async function startCluster(extra: Record<string, unknown>): Promise<Cluster> {
  const backend = await startEchoBackend(
    0,
    '127.0.0.1',
    (params) => `<!doctype html><title>client</title><p id="received">${params}</p>`
  );
  const balancer = await startLoadBalancer();
  const signing = ecKeyPair();
  const namespace = `S${Math.random().toString(36).slice(2, 8)}`;
  const settings = {
    issuer: balancer.url,
    session: { secret: 'the session secret every instance is configured with' },
    accessToken: { format: 'jwt' },
    keys: [{ kid: 'shared-2026', alg: 'ES256', key: signing.privatePem }],
    trustProxy: 1,
    ...extra
  };
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const gateway = {
    apiEndpoints: { api: { host: '*', paths: ['/api'] } },
    serviceEndpoints: { backend: { url: backend.url } },
    pipelines: { protected: { apiEndpoints: ['api'], policies: [{ oauth2: [{ action: {} }] }, proxy] } }
  };
  const started = await Promise.allSettled([0, 1, 2].map(() => startGateway({ namespace, settings, gateway })));
  const instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await balancer.close();
    await backend.close();
  };
  if (instances.length < 3) {
    await stop();
    throw (started.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
  }
  balancer.targets = instances.map((instance) => instance.url);
  try {
    const seeded = await seedWorld(instances[0].admin, { redirectUri: `${backend.url}/callback` });
    return { ...seeded, balancer, instances, backendUrl: backend.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
