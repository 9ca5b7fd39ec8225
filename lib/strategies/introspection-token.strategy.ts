import { createHash } from 'crypto';
import type { EgLogger } from '../eg/types';
import { InvalidToken, TokenNotVerifiable } from '../errors';
import { readCapped } from '../http/read-capped';
import type { RevocationFeed } from '../store/revocation-feed';
import { TokenCache } from '../tokens/token-cache';
import type { ValidatedToken } from '../tokens/validated-token';
import type { IntrospectionStrategyParams } from '../../schemas/policy.schema';
import { fromClaims, requireSafeUrl } from './foreign-token';

const MAX_ANSWER_BYTES = 65536;
const INVALID = 'The access token is invalid, expired or revoked';

/** RFC 6749 §2.3.1: client credentials are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/** Asks the introspection endpoint about a token (RFC 7662 §2.1). @throws Error when no usable answer comes. */
/** RFC 7662 §2.1: a form POST with the token, as its client. */
function rfcRequest(params: IntrospectionStrategyParams, token: string): { url: string; init: RequestInit } {
  const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json'
  };
  if (params.clientId && params.authMethod === 'client_secret_basic') {
    headers.Authorization =
      'Basic ' +
      Buffer.from(`${formEncode(params.clientId)}:${formEncode(params.clientSecret ?? '')}`).toString('base64');
  } else if (params.clientId) {
    form.set('client_id', params.clientId);
    if (params.clientSecret) form.set('client_secret', params.clientSecret);
  }
  return { url: params.endpoint, init: { method: 'POST', headers, body: form } };
}

/**
 * Janus's introspection (pkg/plugin/oauth2/oauth_introspection.go): a GET carrying the token in a header or the query.
 */
function janusRequest(
  params: IntrospectionStrategyParams,
  tokenIn: NonNullable<IntrospectionStrategyParams['tokenIn']>,
  token: string
): { url: string; init: RequestInit } {
  const url = new URL(params.endpoint);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (tokenIn.authorization) headers.Authorization = `${tokenIn.authorization} ${token}`;
  else if (tokenIn.header) headers[tokenIn.header] = token;
  else if (tokenIn.query) url.searchParams.set(tokenIn.query, token);
  return { url: url.toString(), init: { method: 'GET', headers } };
}

async function introspect(params: IntrospectionStrategyParams, token: string): Promise<Record<string, unknown>> {
  const { url, init } = params.tokenIn ? janusRequest(params, params.tokenIn, token) : rfcRequest(params, token);
  const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(params.timeout) });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`answered ${res.status}`);
  }
  const text = await readCapped(res, MAX_ANSWER_BYTES);
  const answer: unknown = JSON.parse(text);
  if (typeof answer !== 'object' || answer === null || typeof (answer as { active?: unknown }).active !== 'boolean') {
    throw new Error('answered without a boolean "active"');
  }
  return answer as Record<string, unknown>;
}

/**
 * Who is asking the endpoint, and how long its answers are kept: pipelines
 * that agree on all of it may share answers (the server may answer each
 * caller differently, RFC 7662 §2.2). The secret only as a digest.
 */
function answerCacheName(params: IntrospectionStrategyParams): string {
  const caller = [
    params.endpoint,
    params.clientId ?? '',
    params.authMethod,
    params.cacheTtl,
    params.maxCacheEntries,
    params.tokenIn ?? null
  ];
  const secret = createHash('sha256')
    .update(params.clientSecret ?? '')
    .digest('base64url');
  return `introspection ${JSON.stringify([...caller, secret])}`;
}

/** What this pipeline asks of a token beyond being active: checked on every request, cached answer or not. */
function judge(validated: ValidatedToken, params: IntrospectionStrategyParams): ValidatedToken {
  if (params.audience && !validated.audience.includes(params.audience))
    throw new InvalidToken('The access token is not meant for this audience');
  if (params.issuer && validated.issuer !== params.issuer)
    throw new InvalidToken('The access token was not issued by a trusted issuer');
  return validated;
}

/**
 * tokenStrategy `introspection`: tokens checked at another authorization
 * server's RFC 7662 endpoint. Active answers are cached until the token's
 * `exp` or `cacheTtl`, whichever comes first, per caller (answerCacheName);
 * a revocation announced in the gateway's Redis drops the entry on every
 * instance. The cache keeps the server's answer, never a verdict: this
 * pipeline's audience and issuer are checked on every request, so a token
 * another pipeline (or an earlier version of a `server:` entry) accepted is
 * judged afresh here. An endpoint that is down or answers nonsense makes the
 * token refused (401), and the log says why.
 */
export function introspectionTokenStrategy(
  params: IntrospectionStrategyParams,
  feed: RevocationFeed,
  logger: EgLogger,
  { registered = false } = {}
) {
  if (!registered) requireSafeUrl(params.endpoint, 'introspection.endpoint');
  const name = answerCacheName(params);
  const cache = TokenCache.shared(name, name, params.maxCacheEntries, feed);

  async function activeAnswer(token: string): Promise<ValidatedToken> {
    const cached = cache.get(token);
    if (cached) return cached;
    const generation = cache.currentGeneration;
    let answer: Record<string, unknown>;
    try {
      answer = await introspect(params, token);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${params.timeout} ms`
          : `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
      logger.error(`oauth2 policy: introspection endpoint ${params.endpoint} failed: ${why}`);
      throw new TokenNotVerifiable('The access token could not be validated');
    }
    const now = Date.now();
    const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : Infinity;
    if (answer.active !== true || exp <= now) throw new InvalidToken(INVALID);
    const validated = fromClaims(answer, new URL(params.endpoint).origin);
    if (params.cacheTtl > 0) cache.put(token, validated, Math.min(exp, now + params.cacheTtl * 1000), generation);
    return validated;
  }

  return async function validateByIntrospection(token: string): Promise<ValidatedToken> {
    return judge(await activeAnswer(token), params);
  };
}
