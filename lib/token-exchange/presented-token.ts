import { JWT_BEARER, SAML2_BEARER } from '../../schemas/settings.schema';
import { assertedUser, AssertedUser } from '../assertions/assertion-subject';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import { unverifiedIssuer, verifyJwtAssertion } from '../assertions/jwt-assertion';
import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { InvalidRequest, InvalidToken, TemporarilyUnavailable } from '../errors';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import type { Subjects } from '../oidc/subjects';
import { SamlRejected, SamlRules, verifySamlAssertion } from '../saml';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';
import type { LocalTokenValidator } from '../tokens/local-token.validator';
import type { Actor } from '../tokens/validated-token';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, PresentedTokenType } from './token-types';
import type { TokenRequestInfo } from '../grants/password.exchange';

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
  /** When it expires (epoch seconds): a token exchanged for it expires no later. */
  expiresAt: number;
  /** This server's token's grant, which a token exchanged for it joins (revoking the grant revokes both). */
  grantId?: string | undefined;
}

export interface PresentedTokenDeps {
  settings: Settings;
  services: EgServices;
  validator: LocalTokenValidator;
  trust: JwtAssertionTrust;
  replays: ReplayGuard;
  saml: SamlRules;
  subjects: Subjects;
}

type Role = 'subject' | 'actor';

const scopesOfClaim = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : null);

/** RFC 8693 §2.2.2: a subject or actor token that is invalid or unacceptable is invalid_request. */
const unacceptable = (role: Role, why: string, detail?: string) =>
  new InvalidRequest(`The ${role} token ${why}`, detail);

/** What the exchange request proved holding: a DPoP key (RFC 9449), a client certificate (RFC 8705). */
type Proven = Pick<TokenRequestInfo, 'dpopJkt' | 'certificate'>;

/**
 * An access token of this server, checked as the policy checks it. A pairwise app's user (OpenID Connect Core §8.1) is
 * not told to another client through an exchange: only the app itself may exchange its tokens.
 */
async function accessToken(token: string, role: Role, client: Client, deps: PresentedTokenDeps, proven: Proven) {
  let validated;
  try {
    validated = await deps.validator.validate(token);
  } catch (err) {
    if (err instanceof InvalidToken) throw unacceptable(role, 'is invalid, expired or revoked');
    throw err;
  }
  // RFC 9449 §7.2: a token bound to a key is not presented without a proof of that key, here no more than at an API.
  if (validated.jkt && validated.jkt !== proven.dpopJkt)
    throw unacceptable(role, 'is bound to a DPoP key: send the exchange with a DPoP proof of that key');
  // RFC 8705 §3: nor a token bound to a certificate without it.
  if (validated.x5t && validated.x5t !== proven.certificate)
    throw unacceptable(role, 'is bound to a TLS client certificate: send the exchange presenting that certificate');
  if (validated.userId && validated.clientId !== client.id && deps.subjects.hidesUserId(validated.consumer as never))
    throw unacceptable(role, "is a pairwise client's, which only that client may exchange");
  return {
    user: validated.userId ? { id: validated.userId, username: validated.username } : null,
    scopes: validated.scopes,
    party: { sub: validated.subject, iss: deps.settings.issuer, client_id: validated.clientId },
    act: validated.act,
    expiresAt: validated.expiresAt,
    grantId: validated.grantId || undefined
  };
}

/**
 * A JWT of an issuer trusted for the JWT bearer grant (on, jwtBearer.issuers, its `clients`), made out to this server,
 * its jti used once. A subject token names a user (RFC 9068 §2.2: a `sub` that is its `client_id` is a client's
 * token, never read as a user's name); an actor token names the exchanging client.
 */
async function trustedJwt(token: string, role: Role, client: Client, deps: PresentedTokenDeps) {
  if (!deps.settings.grants.includes(JWT_BEARER)) throw unacceptable(role, 'type jwt is not taken here');
  try {
    const iss = unverifiedIssuer(token);
    const verifier = deps.trust.forIssuer(iss);
    if (!verifier) throw new JwtRejected(`The ${role} token was not issued by a trusted issuer`);
    if (!deps.trust.mayPresent(iss, client.id))
      throw new JwtRejected('This client may not present tokens of this issuer');
    const { sub, exp, claims } = await verifyJwtAssertion(
      verifier,
      token,
      deps.settings.assertions,
      deps.replays,
      true
    );
    if (role === 'subject' && sub === claims.client_id) throw new JwtRejected('The subject token names no user');
    const user = role === 'subject' ? await assertedUser(deps.services, sub, 'subject token') : null;
    return { user, scopes: scopesOfClaim(claims.scope), party: { sub, iss }, expiresAt: exp };
  } catch (err) {
    if (err instanceof JwtRejected) throw new InvalidRequest(err.reason.replace(/assertion/g, `${role} token`));
    if (err instanceof JwtKeysUnavailable)
      throw new TemporarilyUnavailable("The token issuer's keys cannot be fetched at the moment", err.message);
    throw err;
  }
}

/** A SAML 2.0 assertion of a trusted identity provider (SAML bearer grant on, its `clients`), used once. */
async function samlAssertion(token: string, role: Role, client: Client, deps: PresentedTokenDeps) {
  if (!deps.settings.grants.includes(SAML2_BEARER) || role === 'actor')
    throw unacceptable(role, 'type saml2 is not taken here');
  let subject;
  try {
    // RFC 8693 §3: a saml2 token is the base64url-encoded assertion, as RFC 7522 §2.1 sends it.
    subject = verifySamlAssertion(token, deps.saml);
  } catch (err) {
    if (err instanceof SamlRejected) throw unacceptable(role, 'is refused', `${err.reason}: ${err.detail ?? ''}`);
    throw err;
  }
  const trusted = deps.settings.samlBearer.identityProviders.find((idp) => idp.issuer === subject.issuer);
  if (trusted?.clients && !trusted.clients.includes(client.id))
    throw unacceptable(role, 'is of an identity provider this client may not present assertions of');
  const user = await assertedUser(deps.services, subject.nameId, `${role} token`);
  const { leeway } = deps.settings.assertions;
  if (!(await deps.replays.firstUse(`saml:${subject.issuer}`, subject.assertionId, subject.expiresAt, leeway)))
    throw unacceptable(role, 'was already used (its assertion ID was seen before)');
  return { user, scopes: null, party: { sub: subject.nameId, iss: subject.issuer }, expiresAt: subject.expiresAt };
}

/**
 * Reads a subject or actor token of a token exchange by its type (RFC 8693 §2.1, §3): this server's access tokens,
 * JWTs and SAML assertions of the issuers trusted for the assertion grants.
 * @param proven the key of the exchange request's DPoP proof and the client certificate it presented, which a bound
 * access token must be bound to
 * @throws InvalidRequest for a token that does not pass (RFC 8693 §2.2.2).
 */
export function readPresentedToken(
  type: PresentedTokenType,
  token: string,
  role: Role,
  client: Client,
  deps: PresentedTokenDeps,
  proven: Proven
): Promise<PresentedToken> {
  if (type === ACCESS_TOKEN_TYPE) return accessToken(token, role, client, deps, proven);
  if (type === JWT_TOKEN_TYPE) return trustedJwt(token, role, client, deps);
  return samlAssertion(token, role, client, deps);
}
