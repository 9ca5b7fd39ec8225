import { senderConstraint } from './password.exchange';
import { SAML2_BEARER } from '../../schemas/settings.schema';
import { assertedUser } from '../assertions/assertion-subject';
import type { EgServices } from '../eg/types';
import { InvalidGrant } from '../errors';
import { SamlRejected, SamlRules, verifySamlAssertion } from '../saml';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';
import type { TokenIssuer } from '../tokens/token.issuer';
import { assertionGrantRequest } from './assertion-request';
import { extensionExchange } from './extension.exchange';

interface Deps {
  settings: Settings;
  services: EgServices;
  issuer: TokenIssuer;
  replays: ReplayGuard;
  saml: SamlRules;
}

/**
 * SAML 2.0 bearer assertion grant (RFC 7522 §2.1): a client presents an
 * assertion signed by a trusted identity provider, whose NameID names an EG
 * user, and gets an access token for that user without a consent step (the
 * trust is the IdP's). Each assertion ID is accepted once (§3 item 9). No
 * refresh token: the client gets a fresh assertion instead.
 */
export function saml2BearerExchange({ settings, services, issuer, replays, saml }: Deps) {
  return extensionExchange(async function issueForSamlAssertion(client, body, info) {
    issuer.assertSubjectsGiven(client.app); // before the assertion is spent
    const { assertion, scopes } = assertionGrantRequest(client, body);
    let subject;
    try {
      subject = verifySamlAssertion(assertion, saml);
    } catch (err) {
      if (err instanceof SamlRejected) throw new InvalidGrant(err.reason, err.detail);
      throw err;
    }
    const trusted = settings.samlBearer.identityProviders.find((idp) => idp.issuer === subject.issuer);
    if (trusted?.clients && !trusted.clients.includes(client.id))
      throw new InvalidGrant('This client may not present assertions of this identity provider');
    const user = await assertedUser(services, subject.nameId, 'assertion');
    if (
      !(await replays.firstUse(
        `saml:${subject.issuer}`,
        subject.assertionId,
        subject.expiresAt,
        settings.assertions.leeway
      ))
    ) {
      throw new InvalidGrant('The assertion was already used (its ID was seen before)');
    }
    return issuer.issue({
      ...senderConstraint(info),
      grantType: SAML2_BEARER,
      app: client.app,
      user,
      scopes,
      resources: info.resources.requested,
      refresh: null
    });
  });
}
