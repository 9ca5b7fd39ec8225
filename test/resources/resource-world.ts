import { startWorld, World } from '../helpers/world';
import type { GatewayOptions } from '../../support/gateway';

/** The resource an explicit `resource` parameter names in resourceWorld: another host, so strict by name only. */
export const BILLING = 'https://billing.example.com/v1';

/**
 * The world's pipelines plus two of their own: `orders` (paths /orders and /orders/*, scope read), whose resource is
 * derived from its URL, and `billing` (/billing/*), which names BILLING as its resource.
 */
export function resourceWorld(options: GatewayOptions & { policy?: Record<string, unknown> } = {}): Promise<World> {
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const oauth2 = (action: Record<string, unknown> = {}) => ({ oauth2: [{ action: { ...options.policy, ...action } }] });
  return startWorld({
    ...options,
    gateway: {
      apiEndpoints: {
        api: { host: '*', paths: ['/api', '/api/read', '/api/read/*'] },
        write: { host: '*', paths: ['/api/write', '/api/write/*'], scopes: ['write'] },
        orders: { host: '*', paths: ['/orders', '/orders/*'], scopes: ['read'] },
        billing: { host: '*', paths: ['/billing/*'] },
        open: { host: '*', paths: ['/open', '/open/*'] }
      },
      pipelines: {
        protected: { apiEndpoints: ['api', 'write'], policies: [oauth2(), proxy] },
        orders: { apiEndpoints: ['orders'], policies: [oauth2(), proxy] },
        billing: { apiEndpoints: ['billing'], policies: [oauth2({ resource: BILLING }), proxy] },
        open: { apiEndpoints: ['open'], policies: [proxy] }
      },
      ...options.gateway
    }
  });
}
