import { STANDARD_CLAIMS } from '../../schemas/settings.schema';
import { AccessDenied, InvalidRequest } from '../errors';
import { claimsOfScopes } from './oidc-scopes';

/**
 * The individual claims an authorization request asks for (OpenID Connect
 * Core §5.5): those to find in the ID token, those UserInfo answers beside
 * the scopes' (§5.4), and the user the ID token's `sub` must name when the
 * request gives one (§5.5.1).
 */
export interface ClaimsRequest {
  idToken: string[];
  userinfo: string[];
  sub?: string | undefined;
}

/** Far more than every standard claim asked for twice, with values. */
const MAX_LENGTH = 4096;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One member (`userinfo` or `id_token`): claim name → null, or { essential, value, values } (§5.5.1). */
function requested(member: unknown, name: string): { claims: string[]; sub?: string } {
  if (member === undefined) return { claims: [] };
  if (!isObject(member)) throw new InvalidRequest(`The claims parameter's ${name} member must be a JSON object`);
  const claims: string[] = [];
  let sub: string | undefined;
  for (const [claim, how] of Object.entries(member)) {
    if (how !== null && !isObject(how))
      throw new InvalidRequest(`The claims parameter asks for ${claim.slice(0, 50)} neither with null nor an object`);
    if (isObject(how)) {
      if (how.essential !== undefined && typeof how.essential !== 'boolean')
        throw new InvalidRequest('essential must be true or false in the claims parameter');
      if (how.values !== undefined && !Array.isArray(how.values))
        throw new InvalidRequest('values must be an array in the claims parameter');
      if (claim === 'sub' && how.value !== undefined) {
        if (typeof how.value !== 'string')
          throw new InvalidRequest('The sub value in the claims parameter must be text');
        sub = how.value;
      }
    }
    // Claims this server does not know are left out, as §5.5 allows; sub is always given.
    if ((STANDARD_CLAIMS as readonly string[]).includes(claim)) claims.push(claim);
  }
  return { claims, ...(sub === undefined ? {} : { sub }) };
}

/**
 * Reads the `claims` parameter (Core §5.5): a JSON object whose `userinfo`
 * and `id_token` members name claims. Essential and value hints do not change
 * what this server gives (it gives each claim it has), but for `sub` of the
 * ID token, which must be the signed-in user (§5.5.1), and an essential `acr`
 * with values, which cannot be met (§5.5.1.1: access_denied). Other members are ignored.
 * @throws InvalidRequest for text that is no such object
 */
export function parseClaimsRequest(value: string): ClaimsRequest {
  if (value.length > MAX_LENGTH)
    throw new InvalidRequest(`The claims parameter is longer than ${MAX_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidRequest('The claims parameter is not JSON (OpenID Connect Core §5.5)');
  }
  if (!isObject(parsed)) throw new InvalidRequest('The claims parameter must be a JSON object');
  const idToken = requested(parsed.id_token, 'id_token');
  const userinfo = requested(parsed.userinfo, 'userinfo');
  // §5.5.1.1: an essential acr this server cannot assert (it asserts none) is a failed authentication, not ignored.
  for (const member of [parsed.id_token, parsed.userinfo]) {
    const acr = isObject(member) ? member.acr : undefined;
    if (isObject(acr) && acr.essential === true && (acr.value !== undefined || acr.values !== undefined))
      throw new AccessDenied(
        'The essential acr asked for cannot be met: this server asserts no authentication context class'
      );
  }
  return { idToken: idToken.claims, userinfo: userinfo.claims, sub: idToken.sub };
}

/**
 * How a remembered consent names a claim the claims parameter asked for beyond its scopes': `claim <name>`, with a
 * space no scope can hold (RFC 6749 §3.3), so that no scope an operator creates passes for a claim or the reverse.
 */
export const CLAIM_CONSENT = 'claim ';

/** The claims a request asks for by the claims parameter that its scopes do not already ask for (Core §5.4). */
export function claimsBeyondScopes(request: ClaimsRequest | undefined, scopes: readonly string[]): string[] {
  if (!request) return [];
  const ofScopes = claimsOfScopes(scopes);
  return [...new Set([...request.idToken, ...request.userinfo])].filter((claim) => !ofScopes.includes(claim));
}

/** What a consent to this request is: its scopes, and each further claim, so that a remembered one covers both. */
export function consentEntries(scopes: readonly string[], request: ClaimsRequest | undefined): string[] {
  return [...scopes, ...claimsBeyondScopes(request, scopes).map((claim) => CLAIM_CONSENT + claim)];
}
