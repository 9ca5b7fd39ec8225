import { startEchoBackend } from '../../support/echo-backend';
import type { SeededWorld } from '../../support/admin-client';
import { FakeServer, startFakeServer } from '../helpers/fake-server';
import { RunningGateway, startGateway } from '../../support/gateway';
import { ecKeyPair, rsaKeyPair } from '../helpers/keys';
import { samlIdp } from '../helpers/saml';
import { collectMaterial, FuzzMaterial, JWT_ISSUER, SAML_IDP, SERVERS } from './material';
import { GRANTS } from './parameters';
import { Random } from './random';

export interface FuzzWorld {
  gateway: RunningGateway;
  seeded: SeededWorld;
  material: FuzzMaterial;
  upstream: FakeServer;
  stop(): Promise<void>;
}

/** API pipelines: each way the oauth2 policy can be configured, proxying to an echo backend. */
function pipelines(backendUrl: string): Record<string, unknown> {
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const oauth2 = (action: Record<string, unknown> = {}) => ({ oauth2: [{ action }] });
  const endpoint = (path: string, scopes?: string[]) => ({
    host: '*',
    paths: [path, `${path}/*`],
    ...(scopes ? { scopes } : {})
  });
  return {
    apiEndpoints: {
      api: endpoint('/api'),
      write: endpoint('/api-write', ['write']),
      loose: endpoint('/api-loose'),
      pass: endpoint('/api-pass'),
      branch: endpoint('/api-branch'),
      partner: endpoint('/api-partner'),
      introspected: endpoint('/api-introspected')
    },
    serviceEndpoints: { backend: { url: backendUrl } },
    policies: ['oauth2', 'proxy', 'terminate'],
    pipelines: {
      api: { apiEndpoints: ['api', 'write'], policies: [oauth2(), proxy] },
      loose: {
        apiEndpoints: ['loose'],
        policies: [oauth2({ allowQueryToken: true, allowBodyToken: true, maxBodyBytes: 4096 }), proxy]
      },
      pass: { apiEndpoints: ['pass'], policies: [oauth2({ passThrough: true }), proxy] },
      branch: {
        apiEndpoints: ['branch'],
        policies: [
          oauth2(),
          {
            terminate: [
              {
                condition: { name: 'not', condition: { name: 'oauth2-scopes', scopes: ['write'] } },
                action: { statusCode: 403, message: 'needs write' }
              }
            ]
          },
          proxy
        ]
      },
      partner: { apiEndpoints: ['partner'], policies: [oauth2({ server: SERVERS[0] }), proxy] },
      introspected: { apiEndpoints: ['introspected'], policies: [oauth2({ server: SERVERS[1] }), proxy] }
    }
  };
}

/** A stand-in for an external authorization server: token, authorize, introspection, client endpoints, a JWK Set. */
async function startUpstream(jwk: object): Promise<FakeServer> {
  const upstream = await startFakeServer((req): ReturnType<FakeServer['handler']> => {
    // What the proxy forwarded is not checked here: keep memory flat over thousands of requests.
    upstream.received.splice(0);
    if (req.url.startsWith('/jwks')) return { body: { keys: [jwk] } };
    if (req.url.startsWith('/authorize'))
      return { status: 302, headers: { Location: 'https://client.example/cb?code=c&state=s' } };
    if (req.url.startsWith('/introspect')) return { body: { active: false } };
    if (req.url.startsWith('/token'))
      return {
        body: { access_token: 'upstream-token', token_type: 'Bearer', expires_in: 60 },
        headers: { 'Cache-Control': 'no-store' }
      };
    return { status: req.method === 'DELETE' ? 204 : 201, body: { client_id: 'up-client' } };
  });
  return upstream;
}

/**
 * Boots one gateway with every feature of the plugin switched on (every
 * grant, JWT access tokens and JWKS, trusted JWT and SAML issuers,
 * private_key_jwt, device flow, web and dynamic registration, the servers
 * registry and its proxy, each policy variant) and collects good material.
 */
export async function startFuzzWorld(seed: number): Promise<FuzzWorld> {
  const r = new Random(seed, 0xffffffff);
  const signingKey = ecKeyPair();
  const issuerKey = rsaKeyPair();
  const clientKey = ecKeyPair();
  const idp = samlIdp();
  const upstream = await startUpstream({ ...issuerKey.publicKey.export({ format: 'jwk' }), kid: 'up-1', alg: 'RS256' });
  const backend = await startEchoBackend();
  let gateway: RunningGateway | undefined;
  const stop = async () => {
    await gateway?.stop();
    await backend.close();
    await upstream.close();
  };
  try {
    gateway = await startGateway({
      settings: {
        grants: [...GRANTS],
        accessToken: { format: 'jwt' },
        keys: [{ kid: 'fuzz-es256', alg: 'ES256', key: signingKey.privatePem }],
        jwtBearer: {
          issuers: [{ issuer: JWT_ISSUER, keys: [{ kid: 'hr-1', alg: 'RS256', key: issuerKey.publicPem }] }]
        },
        samlBearer: { identityProviders: [{ issuer: SAML_IDP, certificate: idp.certificatePem }] },
        clientRegistration: { enabled: true, selfServiceScopes: ['read', 'write'] },
        dynamicRegistration: { enabled: true, allowedScopes: ['read', 'write'] },
        // The fuzz-keys-uri app's jwksUri is the local upstream.
        clientUrls: { allowPrivateNetworks: true },
        tokenEndpoint: { maxBodyBytes: 65536 },
        scopeDescriptions: { read: 'Lire vos données 📖', write: '\u202Eetirw' },
        // Every fuzz request comes from 127.0.0.1: a per-IP lock would soon refuse the good requests of the checks
        // afterwards.
        login: { maxFailuresPerIp: 1_000_000, maxFailuresPerUser: 50 },
        // Likewise for wrong client secrets, which the fuzz sends on purpose (the locks have tests of their own).
        clientAuth: { maxFailuresPerIp: 1_000_000, maxFailuresPerClient: 1_000_000 }
      },
      gateway: pipelines(backend.url)
    });
    const world = await collectMaterial(r, gateway, upstream, { issuerKey, clientKey, idp });
    return { gateway, upstream, ...world, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
