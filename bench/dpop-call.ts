import { request } from '../support/http';
import { DpopProofPool, dpopKey, dpopProof } from './dpop-proofs';
import type { LoadTarget } from './load';
import type { ScenarioContext } from './scenarios';
import { passwordTokens } from './tokens';

/** Requests/s above any protected call's on this bench's machines ((a) about 5000): the bound when (b) did not run. */
const RATE_CEILING = 8000;

/**
 * (m): (b)'s call with a DPoP-bound token (RFC 9449). The password grant is asked for with a proof of the bench's
 * ES256 key (§5), so the token is bound to it (`token_type` DPoP); each call sends it with the DPoP scheme and a
 * proof of its own (§7.1), which the gateway verifies and records as used. A run's proofs are signed just before
 * it, as many as (b)'s rate on the same gateway, half again, allows: a bound token costs the gateway more than
 * (b)'s recalled bearer token.
 */
export async function dpopCall(ctx: ScenarioContext, apiUrl: string): Promise<LoadTarget> {
  const key = await dpopKey();
  const tokenProof = await dpopProof(key, 'POST', `${ctx.url}/oauth2/token`);
  const tokens = await passwordTokens(ctx.url, ctx.client, ctx.user, { DPoP: tokenProof });
  if (tokens.token_type !== 'DPoP') throw new Error(`a token asked for with a DPoP proof came as ${tokens.token_type}`);
  const token = tokens.access_token;
  const rate = ctx.earlier.get('b')?.rps;
  const pool = new DpopProofPool(key, 'GET', apiUrl, token, rate ? rate * 1.5 : RATE_CEILING);
  const target: LoadTarget = {
    url: apiUrl,
    method: 'GET',
    headers: { Authorization: `DPoP ${token}` },
    nextHeaders: () => ({ DPoP: pool.take() }),
    prepare: (shape) => pool.fill(shape)
  };
  // The load counts 2xx answers: make sure a call with a proof is one.
  const proof = await dpopProof(key, 'GET', apiUrl, token);
  const answer = await request(apiUrl, { headers: { ...target.headers, DPoP: proof } });
  if (answer.status !== 200) {
    const challenge = answer.headers.get('www-authenticate') ?? '';
    throw new Error(
      `a DPoP-bound call with its proof answered ${answer.status} ${challenge} ${answer.text.slice(0, 200)}`
    );
  }
  return target;
}
