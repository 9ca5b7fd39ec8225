import { assertedUser, AssertedUser } from '../assertions/assertion-subject';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import { unverifiedIssuer, verifyJwtAssertion } from '../assertions/jwt-assertion';
import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { InvalidGrant, InvalidToken, TemporarilyUnavailable } from '../errors';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import { SamlRejected, SamlRules, verifySamlAssertion } from '../saml';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';
import type { LocalTokenValidator } from '../tokens/local-token.validator';
import type { Actor } from '../tokens/validated-token';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, PresentedTokenType } from './token-types';

/** What a subject or actor token of a token exchange says (RFC 8693 §2.1). */
export interface PresentedToken {
  /** The EG user it speaks for; null for a token of a client acting for itself. */
  user: AssertedUser | null;
  /** The scopes it holds, when it says (this server's tokens, a JWT's scope claim); null when it does not. */
  scopes: string[] | null;
  /** Who it names, as an `act` claim names an actor (RFC 8693 §4.1). */
  party: Actor;
  /** Who already acts for its subject, when it came from an exchange itself. */
  act?: Actor | undefined;
}

export interface PresentedTokenDeps {
  settings: Settings;
  services: EgServices;
  validator: LocalTokenValidator;
  trust: JwtAssertionTrust;
  replays: ReplayGuard;
  saml: SamlRules;
}

const scopesOfClaim = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : null);

/** An access token of this server: active, its user's and client's status checked as the policy checks them. */
async function accessToken(token: string, role: string, deps: PresentedTokenDeps): Promise<PresentedToken> {
  let validated;
  try {
    validated = await deps.validator.validate(token);
  } catch (err) {
    if (err instanceof InvalidToken) throw new InvalidGrant(`The ${role} token is invalid, expired or revoked`);
    throw err;
  }
  return {
    user: validated.userId ? { id: validated.userId, username: validated.username } : null,
    scopes: validated.scopes,
    party: { sub: validated.subject, iss: deps.settings.issuer, client_id: validated.clientId },
    act: validated.act
  };
}

/** A JWT of an issuer trusted for the JWT bearer grant (jwtBearer.issuers, its `clients`), made out to this server. */
async function trustedJwt(token: string, role: string, client: Client, deps: PresentedTokenDeps) {
  try {
    const iss = unverifiedIssuer(token);
    const verifier = deps.trust.forIssuer(iss);
    if (!verifier) throw new JwtRejected(`The ${role} token was not issued by a trusted issuer`);
    if (!deps.trust.mayPresent(iss, client.id))
      throw new JwtRejected(`This client may not present tokens of this issuer`);
    const verified = await verifyJwtAssertion(verifier, token, deps.settings.assertions, deps.replays, true);
    return {
      user: await assertedUser(deps.services, verified.sub, `${role} token`),
      scopes: scopesOfClaim(verified.claims.scope),
      party: { sub: verified.sub, iss }
    };
  } catch (err) {
    if (err instanceof JwtRejected) throw new InvalidGrant(err.reason.replace(/assertion/g, `${role} token`));
    if (err instanceof JwtKeysUnavailable)
      throw new TemporarilyUnavailable("The token issuer's keys cannot be fetched at the moment", err.message);
    throw err;
  }
}

/** A SAML 2.0 assertion of a trusted identity provider (samlBearer), made out to this server, used once. */
async function samlAssertion(token: string, role: string, deps: PresentedTokenDeps): Promise<PresentedToken> {
  let subject;
  try {
    // RFC 8693 §3: a saml2 token is the base64url-encoded assertion, as RFC 7522 §2.1 sends it.
    subject = verifySamlAssertion(token, deps.saml);
  } catch (err) {
    if (err instanceof SamlRejected) throw new InvalidGrant(err.reason, err.detail);
    throw err;
  }
  const user = await assertedUser(deps.services, subject.nameId, `${role} token`);
  const { leeway } = deps.settings.assertions;
  if (!(await deps.replays.firstUse(`saml:${subject.issuer}`, subject.assertionId, subject.expiresAt, leeway)))
    throw new InvalidGrant(`The ${role} token was already used (its assertion ID was seen before)`);
  return { user, scopes: null, party: { sub: subject.nameId, iss: subject.issuer } };
}

/**
 * Reads a subject or actor token of a token exchange by its type (RFC 8693 §2.1, §3): this server's access tokens,
 * JWTs and SAML assertions of the issuers trusted for the assertion grants.
 * @throws InvalidGrant for a token that does not pass (RFC 8693 §2.2.2).
 */
export function readPresentedToken(
  type: PresentedTokenType,
  token: string,
  role: 'subject' | 'actor',
  client: Client,
  deps: PresentedTokenDeps
): Promise<PresentedToken> {
  if (type === ACCESS_TOKEN_TYPE) return accessToken(token, role, deps);
  if (type === JWT_TOKEN_TYPE) return trustedJwt(token, role, client, deps);
  return samlAssertion(token, role, deps);
}
