import type { LoadResult, LoadTarget } from './load';
import type { GatewayKind } from './gateways';
import { API_SCOPE } from './gateways';
import { BENCH_PKCE, builtinCodes, pluginCodes } from './code-pool';
import { dpopCall } from './dpop-call';
import type { FloodShape } from './flood';
import { Client, externalJwt, passwordTokens } from './tokens';
import { basic, postForm } from '../support/http';

export type Grant = 'client_credentials' | 'password' | 'refresh_token' | 'authorization_code';
export const GRANTS: Grant[] = ['client_credentials', 'password', 'refresh_token', 'authorization_code'];

/** What a scenario may use of its booted, seeded gateway. */
export interface ScenarioContext {
  url: string;
  client: Client & { redirectUri: string };
  user: { username: string; password: string };
  /** Seconds of a token-endpoint run, to size pools of single-use codes. */
  tokenDuration: number;
  /** Results of the scenarios run before on the same gateway. */
  earlier: Map<string, LoadResult>;
}

export interface Scenario {
  /** `a`…`m` for protected calls and introspection; `plugin:<grant>` or `builtin:<grant>` for the token endpoint. */
  id: string;
  gateway: GatewayKind;
  /** Protected calls are measured warm; token runs are bcrypt-bound and spend single-use codes. */
  warm: boolean;
  /** Wrong client secrets sent to the same gateway throughout the warm-up and the measured runs. */
  flood?: FloodShape;
  target(ctx: ScenarioContext): Promise<LoadTarget>;
}

const API_PATH = '/api/items';

function apiCall(url: string, token: string | null): LoadTarget {
  return { url: url + API_PATH, method: 'GET', headers: token ? { Authorization: `Bearer ${token}` } : {} };
}

/**
 * A resource server asking about a valid token (RFC 7662): the bench's client introspects its own user-bound
 * token (introspection.ownTokens), authenticated with HTTP Basic, whose secret is checked with bcrypt once and
 * then recalled (credentialCache).
 */
async function introspection(ctx: ScenarioContext): Promise<LoadTarget> {
  const token = (await passwordTokens(ctx.url, ctx.client, ctx.user)).access_token;
  const target = clientFormCall(ctx, '/oauth2/introspect', { token });
  // The load counts 2xx answers: make sure they are the answer about an active token.
  const answer = await postForm(target.url, target.body!, target.headers);
  if ((answer.json as { active?: boolean } | undefined)?.active !== true) {
    throw new Error(`introspection of the bench token answered ${answer.status} ${answer.text.slice(0, 200)}`);
  }
  return target;
}

/** The call most APIs see: a user-bound access token of the password grant. */
async function userCall(ctx: ScenarioContext): Promise<LoadTarget> {
  return apiCall(ctx.url, (await passwordTokens(ctx.url, ctx.client, ctx.user)).access_token);
}

/** A form POST to one of the plugin's endpoints, the bench's client authenticating with HTTP Basic. */
function clientFormCall(
  ctx: ScenarioContext,
  path: string,
  form: Record<string, string> | null,
  nextForm?: () => Record<string, string>
): LoadTarget {
  return {
    url: `${ctx.url}${path}`,
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: basic(ctx.client.id, ctx.client.secret)
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
    nextBody: nextForm && (() => new URLSearchParams(nextForm()).toString())
  };
}

/**
 * Enough codes for the run: the client_credentials rate measured just before
 * on the same gateway bounds the exchange rate (both authenticate the client
 * the same way), with half again as margin.
 */
function codePoolSize(ctx: ScenarioContext, owner: 'plugin' | 'builtin'): number {
  const rate = ctx.earlier.get(`${owner}:client_credentials`)?.rps ?? 50;
  return Math.min(20000, Math.max(100, Math.ceil(rate * ctx.tokenDuration * 1.5) + 50));
}

function grantScenario(owner: 'plugin' | 'builtin', grant: Grant): Scenario {
  return {
    id: `${owner}:${grant}`,
    gateway: owner === 'plugin' ? 'opaque' : 'builtin',
    warm: false,
    async target(ctx) {
      if (grant === 'client_credentials')
        return clientFormCall(ctx, '/oauth2/token', { grant_type: grant, scope: API_SCOPE });
      if (grant === 'password')
        return clientFormCall(ctx, '/oauth2/token', {
          grant_type: grant,
          username: ctx.user.username,
          password: ctx.user.password,
          scope: API_SCOPE
        });
      if (grant === 'refresh_token') {
        const { refresh_token } = await passwordTokens(ctx.url, ctx.client, ctx.user);
        return clientFormCall(ctx, '/oauth2/token', { grant_type: grant, refresh_token: refresh_token! });
      }
      const fetchCodes = owner === 'plugin' ? pluginCodes : builtinCodes;
      const codes = await fetchCodes(ctx.url, { client: ctx.client, user: ctx.user }, codePoolSize(ctx, owner));
      let next = 0;
      // Once the pool is spent, the last code is replayed and refused: the run reports those as failures.
      const verifier: Record<string, string> = owner === 'plugin' ? { code_verifier: BENCH_PKCE.verifier } : {};
      const form = () => ({
        grant_type: grant,
        code: codes[Math.min(next++, codes.length - 1)],
        redirect_uri: ctx.client.redirectUri,
        ...verifier
      });
      return clientFormCall(ctx, '/oauth2/token', null, form);
    }
  };
}

/** Every scenario, in the order they run: grouped by gateway, so each gateway boots once per repeat. */
export const SCENARIOS: Scenario[] = [
  { id: 'a', gateway: 'open', warm: true, target: async (ctx) => apiCall(ctx.url, null) },
  { id: 'f', gateway: 'noop', warm: true, target: async (ctx) => apiCall(ctx.url, null) },
  { id: 'b', gateway: 'opaque', warm: true, target: userCall },
  ...GRANTS.map((grant) => grantScenario('plugin', grant)),
  { id: 'g', gateway: 'opaque-bare', warm: true, target: userCall },
  { id: 'c', gateway: 'jwt', warm: true, target: userCall },
  {
    id: 'd',
    gateway: 'external',
    warm: true,
    target: async (ctx) => apiCall(ctx.url, await externalJwt(ctx.user.username))
  },
  { id: 'k', gateway: 'opaque', warm: true, target: introspection },
  // Last on (b)'s gateway: the tens of thousands of proof identifiers it leaves in the store weigh on no other run.
  { id: 'm', gateway: 'opaque', warm: true, target: (ctx) => dpopCall(ctx, ctx.url + API_PATH) },
  { id: 'l', gateway: 'opaque-uncached', warm: true, target: introspection },
  // The same call without and then under each flood, on one gateway: (h) is what (i) and (j) are held to.
  { id: 'h', gateway: 'opaque-proxied', warm: true, target: userCall },
  { id: 'i', gateway: 'opaque-proxied', warm: true, flood: 'naive', target: userCall },
  { id: 'j', gateway: 'opaque-proxied', warm: true, flood: 'distributed', target: userCall },
  { id: 'e', gateway: 'builtin', warm: true, target: userCall },
  ...GRANTS.map((grant) => grantScenario('builtin', grant))
];

/** Names for the tables. */
export const LABELS: Record<string, string> = {
  a: '(a) open pipeline, proxy only',
  f: "(f) reference: (a) + EG's headers policy doing nothing",
  b: '(b) plugin, opaque tokens',
  g: '(g) (b) with identityHeaders: false',
  c: '(c) plugin, JWT access tokens',
  d: '(d) plugin, tokenStrategy jwt (outside key)',
  e: '(e) EG built-in oauth2',
  h: '(h) (b) behind a trusted proxy, no flood',
  i: '(i) (h) under a naive flood of wrong secrets',
  j: '(j) (h) under a distributed flood',
  k: '(k) introspection, the token in the cache',
  l: '(l) introspection, no token cache (tokenCache.ttl: 0)',
  m: '(m) (b) with a DPoP-bound token (RFC 9449)'
};
