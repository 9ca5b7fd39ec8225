import { startWorld, World } from '../helpers/world';
import type { GatewayOptions } from '../../support/gateway';

/** The resource an explicit `resource` parameter names in resourceWorld: another host, so strict by name only. */
export const BILLING = 'https://billing.example.com/v1';

/** The partner pipeline's issuer of JWTs (tokenStrategy jwt), its HS256 key and the audience it requires. */
export const PARTNER = {
  issuer: 'https://idp.partner.example',
  audience: 'api://partner',
  key: 'a-partner-hs256-key-of-at-least-32-bytes'
};

/**
 * The world's pipelines plus their own: `orders` (paths /orders and /orders/*, scope read), whose resource is derived
 * from its URL; `billing` (/billing/*), which names BILLING as its resource; `tools` (/mcp and /sse, which share no
 * literal start, so derive none); `partner` (/partner/*), checking PARTNER's JWTs.
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
        tools: { host: '*', paths: ['/mcp', '/sse'] },
        partner: { host: '*', paths: ['/partner/*'] },
        open: { host: '*', paths: ['/open', '/open/*'] }
      },
      pipelines: {
        protected: { apiEndpoints: ['api', 'write'], policies: [oauth2(), proxy] },
        orders: { apiEndpoints: ['orders'], policies: [oauth2(), proxy] },
        billing: { apiEndpoints: ['billing'], policies: [oauth2({ resource: BILLING }), proxy] },
        tools: { apiEndpoints: ['tools'], policies: [oauth2(), proxy] },
        partner: {
          apiEndpoints: ['partner'],
          policies: [
            {
              oauth2: [
                {
                  action: {
                    tokenStrategy: 'jwt',
                    jwt: {
                      issuer: PARTNER.issuer,
                      audience: PARTNER.audience,
                      keys: [{ alg: 'HS256', key: PARTNER.key }],
                      typ: ''
                    }
                  }
                }
              ]
            },
            proxy
          ]
        },
        open: { apiEndpoints: ['open'], policies: [proxy] }
      },
      ...options.gateway
    }
  });
}
