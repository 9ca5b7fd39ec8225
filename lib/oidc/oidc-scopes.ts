import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { availableClaims } from './user-claims';
import { grantScopes } from '../scopes';
import type { Settings } from '../settings';

/** The scope value that makes an authorization request an OpenID Connect one (Core §3.1.2.1). */
export const OPENID = 'openid';

/** OpenID Connect Core §5.4: the claims each scope value asks for. */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at'
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified']
};

/**
 * OpenID Connect Core §11: the client keeps access while the user is signed out. Its grant's refresh tokens survive
 * the user's sign-out, which ends the sign-in's other grants (Back-Channel Logout §2.7).
 */
export const OFFLINE_ACCESS = 'offline_access';

/** The scopes OpenID Connect defines for a user's identity: any client a user signs in to may ask for them. */
export const IDENTITY_SCOPES: readonly string[] = [OPENID, ...Object.keys(SCOPE_CLAIMS), OFFLINE_ACCESS];

/**
 * The identity scopes among `scopes` a client may be granted without its credential holding them: with OpenID Connect
 * on, those not registered in EG. They open no API, and the user consents to them on the consent page. A scope of the
 * same name the operator registered in EG (an API's `profile`, say) stays the credential's to grant, or any client
 * could get it by asking. EG's scopes are read only when a scope asked for is an identity scope the client lacks.
 */
export async function grantableIdentityScopes(
  scopes: readonly string[],
  client: Client,
  { settings, services }: { settings: Settings; services: EgServices }
): Promise<string[]> {
  if (!settings.oidc.enabled) return [];
  const wanted = scopes.filter((scope) => IDENTITY_SCOPES.includes(scope) && !client.scopes.includes(scope));
  if (wanted.length === 0) return [];
  const registered = new Set((await services.credential.getAllScopes()) ?? []);
  return wanted.filter((scope) => !registered.has(scope));
}

/**
 * The scopes of a grant to a user (grantScopes): identity scopes only when asked for, so that a client naming no scope
 * gets its credential's, as before OpenID Connect was on.
 * @throws InvalidScope for a scope the client may not have.
 */
export async function userGrantScopes(
  requested: string[] | undefined,
  client: Client,
  deps: { settings: Settings; services: EgServices }
): Promise<string[]> {
  if (!requested || requested.length === 0) return grantScopes(undefined, client.scopes);
  return grantScopes(requested, [...client.scopes, ...(await grantableIdentityScopes(requested, client, deps))]);
}

/** The scopes of a grant a client may still have at its exchange or refresh: what it holds, and identity scopes. */
export async function stillGranted(
  scopes: string[],
  client: Client,
  deps: { settings: Settings; services: EgServices }
): Promise<string[]> {
  const identity = await grantableIdentityScopes(scopes, client, deps);
  return scopes.filter((scope) => client.scopes.includes(scope) || identity.includes(scope));
}

/** The claims a set of scope values asks for (Core §5.4). */
export function claimsOfScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.flatMap((scope) => SCOPE_CLAIMS[scope] ?? []))];
}

/** Whether a grant of these scopes is an OpenID Connect one, so gets an ID token. */
export function isOpenIdRequest(scopes: readonly string[], settings: Settings): boolean {
  return settings.oidc.enabled && scopes.includes(OPENID);
}

/** What the consent page says an identity scope lets the client know. */
const IDENTITY_PURPOSES: Readonly<Record<string, string>> = {
  openid: 'Know who you are (your user id)',
  profile: 'See your profile',
  email: 'See your email address',
  address: 'See your postal address',
  phone: 'See your phone number',
  offline_access: 'Keep this access after you sign out, until you revoke it'
};

/**
 * The consent page's text for an identity scope, naming the claims it would reveal of those this gateway has (Core
 * §5.4), e.g. "See your profile: name, given_name, family_name, preferred_username"; undefined for another scope.
 */
export function identityScopeDescription(scope: string, settings: Settings): string | undefined {
  if (!settings.oidc.enabled) return undefined;
  const purpose = IDENTITY_PURPOSES[scope];
  const claims = SCOPE_CLAIMS[scope];
  if (!purpose || !claims) return purpose;
  const available = availableClaims(settings.oidc.claims);
  const known = claims.filter((claim) => available.includes(claim));
  return known.length > 0 ? `${purpose}: ${known.join(', ')}` : purpose;
}
