import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { request } from '../../support/http';
import { Cluster, NEEDS_REDIS, startCluster } from './cluster';

/**
 * Issue 22's "done when" for DPoP: a bound token works with its proof and fails without it, with another key,
 * replayed, or as Bearer, whichever instance of a deployment sharing one Redis answers; with nonces required
 * (RFC 9449 §8, §9), a nonce one instance gives is taken by the others. oauth4webapi makes the proofs.
 */
describe(`DPoP across three gateway instances (${NEEDS_REDIS})`, function () {
  this.timeout(60000);
  let cluster: Cluster;

  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    cluster = await startCluster({ dpop: { requireNonce: true } });
  });
  after(async function () {
    await cluster?.stop();
  });

  /** oauth4webapi's options sending its request to one instance: the URLs (and so the proofs' htu) stay the issuer's. */
  const at = (instance: number, DPoP?: oauth.DPoPHandle, seen?: (proof: string) => void) => ({
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: (url: string, init: RequestInit) => {
      seen?.(new Headers(init.headers).get('dpop') ?? '');
      return fetch(url.replace(cluster.balancer.url, cluster.instances[instance]!.url), init);
    },
    ...(DPoP ? { DPoP } : {})
  });

  async function boundToken(DPoP: oauth.DPoPHandle): Promise<string> {
    const as = { issuer: cluster.balancer.url, token_endpoint: `${cluster.balancer.url}/oauth2/token` };
    const client = { client_id: cluster.app.id };
    const auth = oauth.ClientSecretBasic(cluster.app.secret);
    const ask = (instance: number) =>
      oauth
        .clientCredentialsGrantRequest(as, client, auth, { scope: 'read' }, at(instance, DPoP))
        .then((response) => oauth.processClientCredentialsResponse(as, client, response));
    // The first proof carries no nonce: instance 0 answers use_dpop_nonce with one, which instance 1 takes.
    const refused = await ask(0).then(
      () => null,
      (err: unknown) => err
    );
    expect(oauth.isDPoPNonceError(refused), String(refused)).to.equal(true);
    const tokens = await ask(1);
    expect(tokens.token_type).to.equal('dpop');
    return tokens.access_token;
  }

  async function call(instance: number, token: string, DPoP?: oauth.DPoPHandle, seen?: (proof: string) => void) {
    const api = new URL(`${cluster.balancer.url}/api`);
    const response = await oauth
      .protectedResourceRequest(token, 'GET', api, undefined, undefined, at(instance, DPoP, seen))
      .catch((err: unknown) => {
        if (err instanceof oauth.WWWAuthenticateChallengeError) return err.response;
        throw err;
      });
    return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
  }

  it('takes a bound token with a proof of its key on every instance, and nothing else on any', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const token = await boundToken(DPoP);
    for (const instance of [0, 1, 2]) expect((await call(instance, token, DPoP)).status).to.equal(200);

    let proof = '';
    expect((await call(2, token, DPoP, (sent) => (proof = sent))).status).to.equal(200);
    for (const instance of [0, 1]) {
      const replayed = await request(`${cluster.instances[instance]!.url}/api`, {
        headers: { Authorization: `DPoP ${token}`, DPoP: proof }
      });
      expect(replayed.status).to.equal(401);
      expect(replayed.headers.get('www-authenticate')).to.match(/error="invalid_dpop_proof".*used before/);
    }

    const asBearer = await call(1, token);
    expect(asBearer.status).to.equal(401);
    expect(asBearer.challenge).to.match(/^DPoP .*error="invalid_token"/);
    const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    await call(0, token, otherKey); // learns the nonce
    const stolen = await call(0, token, otherKey);
    expect(stolen.status).to.equal(401);
    expect(stolen.challenge).to.match(/another key/);
  });

  it('answers a resource proof without the nonce use_dpop_nonce, with the nonce to use (§9)', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const token = await boundToken(DPoP);
    const fresh = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    // A handle that never saw a nonce: the resource asks for one.
    const api = new URL(`${cluster.balancer.url}/api`);
    const response = await oauth
      .protectedResourceRequest(token, 'GET', api, undefined, undefined, at(2, fresh))
      .catch((err: oauth.WWWAuthenticateChallengeError) => err.response);
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.match(/^DPoP .*error="use_dpop_nonce"/);
    expect(response.headers.get('dpop-nonce')).to.match(/^\d+\.[\w-]{22}$/);
  });
});
