import { expect } from 'chai';
import { expectOAuthError, request } from '../../support/http';
import {
  AssertionOptions,
  buildAssertion,
  encodeAssertion,
  samlIdp,
  signAssertion,
  tamperAssertion,
  wrapAssertion,
  billionLaughs
} from '../helpers/saml';
import { startGateway } from '../../support/gateway';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
const IDP = 'https://idp.example.com/saml';

/** RFC 7522: a SAML 2.0 assertion from a trusted IdP is exchanged for an access token, over a real gateway. */
describe('SAML 2.0 bearer assertion grant (RFC 7522)', function () {
  const idp = samlIdp();
  const rogue = samlIdp('rogue-idp');
  let world: World;
  let tokenEndpoint: string;

  const assertion = (options: AssertionOptions = {}) =>
    buildAssertion({
      issuer: IDP,
      nameId: world.user.username,
      audiences: [[world.gateway.url]],
      recipient: tokenEndpoint,
      ...options
    });
  const signed = (options: AssertionOptions = {}, key = idp.privateKey) => signAssertion(assertion(options), key);
  const exchange = (xml: string, extra: Record<string, string> = {}) =>
    world.token({ grant_type: SAML2_BEARER, assertion: encodeAssertion(xml), ...extra });

  async function refused(xml: string, description: RegExp): Promise<void> {
    expectOAuthError(await exchange(xml), 400, 'invalid_grant', description);
  }

  before(async function () {
    world = await startWorld({
      settings: {
        samlBearer: { identityProviders: [{ issuer: IDP, certificate: idp.certificatePem }] },
        assertions: { leeway: 5, maxLifetime: 600 },
        tokenEndpoint: { maxBodyBytes: 65536 }
      }
    });
    tokenEndpoint = `${world.gateway.url}/oauth2/token`;
  });
  after(async function () {
    await world?.stop();
  });

  it('is enabled by trusting an identity provider, and listed in the metadata', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.grant_types_supported).to.include(SAML2_BEARER);
  });

  it('issues an access token for the EG user named by the NameID, without a refresh token', async function () {
    const res = await exchange(signed(), { scope: 'read' });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ token_type: 'Bearer', scope: 'read' });
    expect(res.json).not.to.have.property('refresh_token');
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${res.json.access_token}` }
    });
    expect(info.json).to.include({ username: world.user.username, client_id: world.app.id });
  });

  it('refuses a replayed assertion (ID single use)', async function () {
    const xml = signed();
    expect((await exchange(xml)).status).to.equal(200);
    await refused(xml, /already used/);
  });

  it('refuses a forged, tampered, unsigned or wrapped assertion', async function () {
    await refused(signed({}, rogue.privateKey), /signature is invalid/);
    await refused(tamperAssertion(signed(), `>${world.user.username}<`, '>admin<'), /signature is invalid/);
    await refused(assertion(), /not signed/);
    const wrapped = wrapAssertion(signed(), 'advice', {
      issuer: IDP,
      nameId: 'admin',
      audiences: [[world.gateway.url]],
      recipient: tokenEndpoint
    });
    const res = await exchange(wrapped);
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('refuses an expired, not yet valid or too long-lived assertion', async function () {
    await refused(signed({ now: Date.now() - 400_000 }), /expired/);
    await refused(signed({ notBefore: Date.now() + 60_000 }), /not valid yet/);
    await refused(
      signed({ notOnOrAfter: Date.now() + 3_600_000, confirmationNotOnOrAfter: Date.now() + 3_600_000 }),
      /longer than/
    );
  });

  it('refuses an assertion for another audience, recipient or issuer', async function () {
    await refused(signed({ audiences: [['https://other.example.com']] }), /audience/);
    await refused(signed({ recipient: 'https://other.example.com/token' }), /token endpoint/);
    await refused(signed({ issuer: 'https://evil.example.com' }), /trusted identity provider/);
  });

  it('refuses a NameID that is no active user, and an XML bomb', async function () {
    await refused(signed({ nameId: 'nobody-here' }), /subject is not an active user/);
    await refused(billionLaughs(), /malformed|DOCTYPE|not accepted/i);
    const garbage = await world.token({ grant_type: SAML2_BEARER, assertion: '%%%not base64%%%' });
    expect(garbage.json.error).to.equal('invalid_grant');
  });
});

describe('SAML 2.0 bearer grant settings', function () {
  before(function () {
    oncePerRun(this);
  });
  it('stops the gateway when the grant is listed without an identity provider', async function () {
    const gateway = await startGateway({ settings: { grants: [SAML2_BEARER] }, expectExit: true });
    expect(await gateway.exited).to.not.equal(0);
    expect(gateway.output()).to.contain('needs samlBearer.identityProviders');
    await gateway.stop();
  });

  it('stops the gateway for an identity provider certificate that cannot be read', async function () {
    const gateway = await startGateway({
      settings: { samlBearer: { identityProviders: [{ issuer: IDP, certificate: 'not a certificate' }] } },
      expectExit: true
    });
    expect(await gateway.exited).to.not.equal(0);
    expect(gateway.output()).to.contain('samlBearer.identityProviders.0');
    await gateway.stop();
  });
});
