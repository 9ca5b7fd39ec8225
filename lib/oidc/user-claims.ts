import { BUILT_IN_CLAIMS } from '../../schemas/settings.schema';
import type { EgUser } from '../eg/types';

/** Claims whose values are JSON booleans or numbers, not the strings EG stores (Core §5.1). */
const BOOLEAN_CLAIMS = new Set(['email_verified', 'phone_number_verified']);

function claimValue(claim: string, raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (BOOLEAN_CLAIMS.has(claim)) return raw === true || raw === 'true';
  if (claim === 'updated_at') {
    const seconds =
      typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : Date.parse(String(raw)) / 1000;
    return Number.isFinite(seconds) ? Math.floor(seconds) : undefined;
  }
  if (claim === 'address') return typeof raw === 'object' ? raw : { formatted: String(raw) };
  return typeof raw === 'string' ? raw : String(raw);
}

/**
 * The standard claims of a user (OpenID Connect Core §5.1), read from EG's user record through `oidc.claims` over the
 * built-in mapping. Only the claims named are returned, and only those the user has.
 */
export function userClaims(
  user: EgUser,
  wanted: readonly string[],
  mapping: Record<string, string>
): Record<string, unknown> {
  const from = { ...BUILT_IN_CLAIMS, ...mapping };
  const claims: Record<string, unknown> = {};
  for (const claim of wanted) {
    const property = from[claim];
    const value = property === undefined ? undefined : claimValue(claim, user[property]);
    if (value !== undefined) claims[claim] = value;
  }
  if (wanted.includes('name') && from.name === undefined) {
    const part = (claim: string) => {
      const property = from[claim];
      return property === undefined ? undefined : claimValue(claim, user[property]);
    };
    const name = [part('given_name'), part('family_name')].filter(Boolean).join(' ');
    if (name) claims.name = name;
  }
  return claims;
}
