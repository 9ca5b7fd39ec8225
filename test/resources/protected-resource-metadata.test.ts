import { expect } from 'chai';
import { request } from '../../support/http';
import type { World } from '../helpers/world';
import { BILLING, resourceWorld } from './resource-world';

/** The value of one parameter of a WWW-Authenticate challenge. */
function challengeParam(challenge: string | null, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(challenge ?? '')?.[1];
}

describe('protected resource metadata (RFC 9728)', function () {
  let world: World;
  before(async function () {
    world = await resourceWorld({ policy: { allowBodyToken: true } });
  });
  after(async function () {
    await world?.stop();
  });

  it('leads a client that knows only an API URL from its 401 to the authorization server (RFC 9728 §5)', async function () {
    const refused = await request(`${world.gateway.url}/orders/42`);
    expect(refused.status).to.equal(401);
    const metadataUrl = challengeParam(refused.headers.get('www-authenticate'), 'resource_metadata');
    expect(metadataUrl).to.equal(`${world.gateway.url}/.well-known/oauth-protected-resource/orders`);

    const metadata = await request(metadataUrl!);
    expect(metadata.status).to.equal(200);
    expect(metadata.headers.get('content-type')).to.match(/^application\/json/);
    expect(metadata.json).to.deep.equal({
      resource: `${world.gateway.url}/orders`,
      authorization_servers: [world.gateway.url],
      scopes_supported: ['read'],
      bearer_methods_supported: ['header', 'body'],
      dpop_signing_alg_values_supported: ['ES256', 'PS256', 'RS256', 'EdDSA']
    });

    // RFC 8414 §3 for the issuer it names, which lists the resource (RFC 9728 §4).
    const server = await request(`${metadata.json.authorization_servers[0]}/.well-known/oauth-authorization-server`);
    expect(server.json.issuer).to.equal(world.gateway.url);
    expect(server.json.protected_resources).to.include.members([`${world.gateway.url}/orders`, BILLING]);
  });

  it('names the metadata in every challenge: an invalid token, and a missing scope (403)', async function () {
    const invalid = await request(`${world.gateway.url}/api/read`, { headers: { Authorization: 'Bearer nope' } });
    expect(invalid.status).to.equal(401);
    expect(challengeParam(invalid.headers.get('www-authenticate'), 'resource_metadata')).to.equal(
      `${world.gateway.url}/.well-known/oauth-protected-resource/api`
    );
    const token = (await world.token({ grant_type: 'client_credentials', scope: 'read' })).json.access_token;
    const lacking = await request(`${world.gateway.url}/api/write`, { headers: { Authorization: `Bearer ${token}` } });
    expect(lacking.status).to.equal(403);
    const challenge = lacking.headers.get('www-authenticate');
    expect(challenge).to.match(/error="insufficient_scope"/);
    expect(challengeParam(challenge, 'resource_metadata')).to.equal(
      `${world.gateway.url}/.well-known/oauth-protected-resource/api/write`
    );
  });

  it('serves a named resource at its own path, whatever host it is on (RFC 9728 §3.1)', async function () {
    const refused = await request(`${world.gateway.url}/billing/invoices`);
    expect(challengeParam(refused.headers.get('www-authenticate'), 'resource_metadata')).to.equal(
      'https://billing.example.com/.well-known/oauth-protected-resource/v1'
    );
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/v1`);
    expect(metadata.status).to.equal(200);
    expect(metadata.json.resource).to.equal(BILLING);
    expect(metadata.json).not.to.have.property('scopes_supported');
  });

  it('leaves a path no pipeline names to the API endpoints, and answers only GET', async function () {
    // No API endpoint serves it either: EG's own 404.
    expect((await request(`${world.gateway.url}/.well-known/oauth-protected-resource/nothing`)).status).to.equal(404);
    const posted = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/orders`, {
      method: 'POST'
    });
    expect(posted.status).to.equal(405);
    expect(posted.headers.get('allow')).to.equal('GET');
  });

  it('names no metadata for an open pipeline, nor serves any', async function () {
    expect((await request(`${world.gateway.url}/open`)).status).to.equal(200);
    expect((await request(`${world.gateway.url}/.well-known/oauth-protected-resource/open`)).status).to.equal(404);
  });
});
