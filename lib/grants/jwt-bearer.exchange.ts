import { senderConstraint } from './password.exchange';
import { JWT_BEARER } from '../../schemas/settings.schema';
import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { InvalidGrant, TemporarilyUnavailable } from '../errors';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';
import type { TokenIssuer } from '../tokens/token.issuer';
import { assertedUser } from '../assertions/assertion-subject';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import { unverifiedIssuer, verifyJwtAssertion } from '../assertions/jwt-assertion';
import { assertionGrantRequest } from './assertion-request';
import { extensionExchange } from './extension.exchange';

interface Deps {
  settings: Settings;
  services: EgServices;
  issuer: TokenIssuer;
  trust: JwtAssertionTrust;
  replays: ReplayGuard;
}

/**
 * RFC 7523 §3.1: every refusal of the assertion is invalid_grant, with the
 * check that failed; so are the client's own keys that cannot be fetched.
 * A trusted issuer's keys that cannot be fetched are not the client's fault:
 * it may retry.
 */
function refusal(err: unknown, selfIssued: boolean): Error {
  if (err instanceof JwtRejected) return new InvalidGrant(err.reason, err.detail);
  if (err instanceof JwtKeysUnavailable && selfIssued)
    return new InvalidGrant("The client's registered keys could not be fetched", err.message);
  if (err instanceof JwtKeysUnavailable)
    return new TemporarilyUnavailable("The assertion issuer's keys cannot be fetched at the moment", err.message);
  return err as Error;
}

/**
 * JWT bearer grant (RFC 7523 §2.1): the client presents a JWT signed by an
 * issuer trusted in settings, or by itself with the keys it registered
 * (`iss` = its client_id). The subject is the client itself (a token for
 * the app, like client credentials) or, for a trusted issuer, an EG user.
 * No refresh token: the client can present a fresh assertion instead.
 */
export function jwtBearerExchange({ settings, services, issuer, trust, replays }: Deps) {
  return extensionExchange(async function issueForAssertion(client: Client, body, info) {
    issuer.assertSubjectsGiven(client.app); // before the assertion is spent
    const { assertion, scopes } = assertionGrantRequest(client, body);
    let verified;
    let selfIssued = false;
    try {
      const iss = unverifiedIssuer(assertion);
      let verifier = trust.forIssuer(iss);
      if (verifier && !trust.mayPresent(iss, client.id))
        throw new JwtRejected('This client may not present assertions of this issuer');
      if (!verifier && iss === client.id) {
        verifier = trust.forClient(client);
        selfIssued = true;
      }
      if (!verifier) throw new JwtRejected('The assertion was not issued by a trusted issuer');
      verified = await verifyJwtAssertion(verifier, assertion, settings.assertions, replays);
    } catch (err) {
      throw refusal(err, selfIssued);
    }
    let user = null;
    if (verified.sub !== client.id) {
      // The client's own key proves who the client is, not who its users are.
      if (selfIssued)
        throw new InvalidGrant("An assertion signed with the client's own key may only name the client as its subject");
      user = await assertedUser(services, verified.sub, 'assertion');
    }
    return issuer.issue({
      ...senderConstraint(info),
      grantType: JWT_BEARER,
      app: client.app,
      user,
      scopes,
      resources: info.resources.requested,
      refresh: null
    });
  });
}
