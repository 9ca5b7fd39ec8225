import { startEchoBackend } from '../../support/echo-backend';
import { SeededWorld, seedWorld } from '../../support/admin-client';
import { GatewayOptions, RunningGateway, startGateway } from '../../support/gateway';
import { basic, postForm, Reply, request } from '../../support/http';

/** A gateway with the plugin, an echo backend behind a protected pipeline, and seeded consumers. */
export interface World extends SeededWorld {
  gateway: RunningGateway;
  backendUrl: string;
  token(params: Record<string, string>, auth?: { id: string; secret: string }): Promise<Reply>;
  /** A call to the protected API (`path`, default /api) with this bearer token. */
  api(token: string, path?: string): Promise<Reply>;
  /** Another confidential client, owned by the seeded user, with these scopes (created when missing). */
  addClient(name: string, scopes: string[]): Promise<{ id: string; secret: string }>;
  stop(): Promise<void>;
}

/**
 * Pipelines: /api (oauth2, no scope), /api/write (oauth2, scope write),
 * /open (no auth), each proxying to the echo backend. `policy` is merged into
 * the oauth2 action of the protected pipelines.
 */
export async function startWorld(
  options: GatewayOptions & { policy?: Record<string, unknown>; seed?: { username?: string; appName?: string } } = {}
): Promise<World> {
  const backend = await startEchoBackend();
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const oauth2 = { oauth2: [{ action: { ...options.policy } }] };
  const gateway = await startGateway({
    ...options,
    gateway: {
      apiEndpoints: {
        api: { host: '*', paths: ['/api', '/api/read', '/api/read/*'] },
        write: { host: '*', paths: ['/api/write', '/api/write/*'], scopes: ['write'] },
        both: { host: '*', paths: ['/api/both'], scopes: ['read', 'write'] },
        open: { host: '*', paths: ['/open', '/open/*'] }
      },
      serviceEndpoints: { backend: { url: backend.url } },
      pipelines: {
        protected: { apiEndpoints: ['api', 'write', 'both'], policies: [oauth2, proxy] },
        open: { apiEndpoints: ['open'], policies: [proxy] }
      },
      ...options.gateway
    }
  }).catch(async (err) => {
    await backend.close();
    throw err;
  });
  const seeded = await seedWorld(gateway.admin, options.seed).catch(async (err) => {
    await gateway.stop();
    await backend.close();
    throw err;
  });
  return {
    ...seeded,
    gateway,
    backendUrl: backend.url,
    token(params, auth = { id: seeded.app.id, secret: seeded.app.secret }) {
      return postForm(`${gateway.url}/oauth2/token`, params, { Authorization: basic(auth.id, auth.secret) });
    },
    api(token, path = '/api') {
      return request(`${gateway.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    },
    async addClient(name, scopes) {
      const known = await gateway.admin.listScopes();
      const missing = scopes.filter((scope) => !known.includes(scope));
      if (missing.length > 0) await gateway.admin.createScopes(missing);
      return gateway.admin.registerClient(
        { name, userId: seeded.user.id, redirectUri: 'http://127.0.0.1:8000/callback' },
        scopes
      );
    },
    async stop() {
      await gateway.stop();
      await backend.close();
    }
  };
}

/**
 * Gateway sections for startWorld: /api taking this server's tokens, and /partner another issuer's JWTs, `issuer`
 * as their iss and aud, signed with the ES256 key of `publicPem`.
 */
export function partnerPipelines(issuer: string, publicPem: string): Record<string, unknown> {
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const jwt = { issuer, audience: issuer, keys: [{ alg: 'ES256', key: publicPem }] };
  return {
    apiEndpoints: { api: { host: '*', paths: ['/api'] }, partner: { host: '*', paths: ['/partner'] } },
    pipelines: {
      protected: { apiEndpoints: ['api'], policies: [{ oauth2: [{ action: {} }] }, proxy] },
      partner: { apiEndpoints: ['partner'], policies: [{ oauth2: [{ action: { tokenStrategy: 'jwt', jwt } }] }, proxy] }
    }
  };
}
