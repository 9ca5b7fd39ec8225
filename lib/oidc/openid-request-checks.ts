import type { OpenIdRequest } from '../authorize/authorize-request';
import { checkStep } from '../authorize/check-step';
import { InvalidRequest } from '../errors';
import type { Settings } from '../settings';
import { parseClaimsRequest } from './claims-request';
import { isOpenIdRequest } from './oidc-scopes';
import { answersWith } from './response-types';

const PROMPTS: ReadonlyArray<OpenIdRequest['prompt'][number]> = ['none', 'login', 'consent', 'select_account'];

/** A nonce travels into the code record, the session and the ID token: a generous cap, far above any RP's. */
const MAX_NONCE = 512;
/** Far longer than any ID token of ours. */
const MAX_HINT = 8192;

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidRequest(`The ${name} parameter is malformed`);
  return value;
}

/**
 * An OpenID Connect authentication request's own parameters (Core §3.1.2.1), read once the scopes say it is one:
 * nonce, prompt (space-separated, `none` alone), max_age (non-negative seconds), id_token_hint and claims (§5.5). A
 * plain OAuth request keeps none of them (request objects were read before: lib/authorize/use-request-object.ts).
 */
export function checkOpenIdRequest(settings: Settings) {
  return checkStep('checkOpenIdRequest', (req, request) => {
    request.openId = undefined;
    if (!settings.oidc.enabled) return;
    const idToken = answersWith(request.responseType ?? 'code', 'id_token');
    if (!isOpenIdRequest(request.scopes ?? [], settings)) {
      if (idToken)
        throw new InvalidRequest('The response type id_token needs the openid scope (OpenID Connect Core §3.2.2.1)');
      return;
    }
    const nonce = text(req.query.nonce, 'nonce');
    if (nonce !== undefined && (nonce.length === 0 || nonce.length > MAX_NONCE)) {
      throw new InvalidRequest(`The nonce must be 1 to ${MAX_NONCE} characters long`);
    }
    // Core §3.2.2.1, §3.3.2.11: an ID token from the front channel must be bound to the client's session by a nonce.
    if (idToken && nonce === undefined)
      throw new InvalidRequest('A nonce is required when the response type has id_token');
    const prompt: OpenIdRequest['prompt'] = [];
    for (const value of (text(req.query.prompt, 'prompt') ?? '').split(' ').filter(Boolean)) {
      const known = PROMPTS.find((name) => name === value);
      if (!known) throw new InvalidRequest(`The prompt value "${value.slice(0, 50)}" is not supported`);
      if (!prompt.includes(known)) prompt.push(known);
    }
    if (prompt.includes('none') && prompt.length > 1) {
      throw new InvalidRequest(
        'prompt=none cannot be combined with another prompt value (OpenID Connect Core §3.1.2.1)'
      );
    }
    const maxAge = text(req.query.max_age, 'max_age');
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) {
      throw new InvalidRequest('max_age must be a number of seconds');
    }
    const idTokenHint = text(req.query.id_token_hint, 'id_token_hint');
    if (idTokenHint !== undefined && idTokenHint.length > MAX_HINT)
      throw new InvalidRequest('The id_token_hint is too long');
    const claims = text(req.query.claims, 'claims');
    request.openId = {
      nonce,
      prompt,
      maxAge: maxAge === undefined ? undefined : Number(maxAge),
      idTokenHint,
      claims: claims === undefined ? undefined : parseClaimsRequest(claims)
    };
  });
}
