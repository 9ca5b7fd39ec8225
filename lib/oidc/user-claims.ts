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

/** Where each claim comes from: `oidc.claims` over the built-in mapping (claim → EG user property). */
function claimSources(mapping: Record<string, string>): Record<string, string> {
  return { ...BUILT_IN_CLAIMS, ...mapping };
}

/** The claims this gateway can give: those mapped, and `name` when it is made of the given and family names. */
export function availableClaims(mapping: Record<string, string>): string[] {
  const from = claimSources(mapping);
  const mapped = Object.keys(from);
  return from.name === undefined && (from.given_name ?? from.family_name) ? [...mapped, 'name'] : mapped;
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
  const from = claimSources(mapping);
  const valueOf = (claim: string) => {
    const property = from[claim];
    return property === undefined ? undefined : claimValue(claim, user[property]);
  };
  const claims: Record<string, unknown> = {};
  for (const claim of wanted) {
    const value = valueOf(claim);
    if (value !== undefined) claims[claim] = value;
  }
  if (wanted.includes('name') && from.name === undefined) {
    const name = [valueOf('given_name'), valueOf('family_name')].filter(Boolean).join(' ');
    if (name) claims.name = name;
  }
  return claims;
}
