import { expect } from 'chai';
import { createHmac, generateKeyPairSync } from 'crypto';
import type { IncomingMessage } from 'http';
import { SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import {
  accessTokenHash,
  DPOP_ALGORITHMS,
  dpopHeaderOf,
  InvalidDpopProof,
  verifyDpopProof
} from '../../lib/dpop/dpop-proof';
import { DpopProofs, UseDpopNonce } from '../../lib/dpop/dpop-proofs';
import { DPOP_NONCE_WINDOW_S, DpopNonces } from '../../lib/dpop/dpop-nonces';
import { ClientCertificates } from '../../lib/mtls/client-certificate';
import { ProofOfPossession } from '../../lib/dpop/proof-of-possession';
import { fromClaims } from '../../lib/strategies/foreign-token';
import type { ValidatedToken } from '../../lib/tokens/validated-token';
import type { Request } from 'express';
import { ReplayGuard } from '../../lib/store/replay.guard';
const RedisMock = require('ioredis-mock');

/** No certificate reaches these resources (no header, no TLS of the gateway's own). */
const NO_CERTIFICATES = new ClientCertificates(
  { mtls: { certificateHeader: '', trustedProxies: [], ca: '', endpointOrigin: '' } },
  false
);

const API = 'https://api.example.com/orders/7';
const TOKEN = 'an-access-token';
const SECRET = 'a session secret of thirty-two characters or more';

/** The checks a gateway makes of each proof, over an emulated store of its own. */
const proofsChecker = (requireNonce = false, secret = SECRET) =>
  new DpopProofs(
    new ReplayGuard(new RedisMock(), `t${Math.random()}:`),
    new DpopNonces(secret),
    requireNonce,
    DPOP_ALGORITHMS
  );

/** A proof oauth4webapi (a DPoP client nobody here wrote) sends with a protected resource request. */
async function clientProof(method: string, url: string, token = TOKEN) {
  const handle = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
  let proof = '';
  await oauth.protectedResourceRequest(token, method, new URL(url), undefined, undefined, {
    DPoP: handle,
    [oauth.customFetch]: async (_url: string, init: RequestInit) => {
      proof = new Headers(init.headers).get('dpop') ?? '';
      return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
  });
  return { proof, jkt: await handle.calculateThumbprint() };
}

/** A proof made by hand, to break one rule at a time. */
async function handMade(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
) {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return new SignJWT({ jti: `j-${Math.random()}`, htm: 'GET', htu: API, iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header } as never)
    .sign(key.privateKey);
}

async function refusal(proof: unknown, expected = { method: 'GET', url: API, accessToken: TOKEN }): Promise<string> {
  try {
    await verifyDpopProof(proof, expected);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidDpopProof);
    return (err as InvalidDpopProof).reason;
  }
  throw new Error('the proof was accepted');
}

/** RFC 9449 §4.3: the checks of a DPoP proof, before the gateway binds tokens to one (issue 22, item 1). */
describe('DPoP proofs (RFC 9449 §4.3)', function () {
  it("accepts oauth4webapi's proof for its request and gives the thumbprint oauth4webapi computes", async function () {
    const { proof, jkt } = await clientProof('GET', API);
    const verified = await verifyDpopProof(proof, { method: 'GET', url: API, accessToken: TOKEN });
    expect(verified.jkt).to.equal(jkt);
    expect(verified.jti).to.be.a('string');
  });

  it('compares htu without query and fragment, as WHATWG URL writes it (case, default port)', async function () {
    const { proof } = await clientProof('GET', 'https://API.example.com:443/orders/7?page=2');
    await verifyDpopProof(proof, { method: 'GET', url: `${API}?other#x`, accessToken: TOKEN });
  });

  it('refuses a proof for another method, URL or access token', async function () {
    const { proof } = await clientProof('GET', API);
    expect(await refusal(proof, { method: 'POST', url: API, accessToken: TOKEN })).to.match(/htm/);
    expect(await refusal(proof, { method: 'GET', url: `${API}/x`, accessToken: TOKEN })).to.match(/htu/);
    expect(await refusal(proof, { method: 'GET', url: API, accessToken: 'another' })).to.match(/ath/);
  });

  it('refuses proofs that break a rule of §4.3', async function () {
    const now = Math.floor(Date.now() / 1000);
    const ath = accessTokenHash(TOKEN);
    const hmac = (input: string) => createHmac('sha256', 'k').update(input).digest('base64url');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const symmetric = `${b64({ alg: 'HS256', typ: 'dpop+jwt' })}.${b64({ jti: 'x', htm: 'GET', htu: API, iat: now })}`;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: [string, Promise<string> | string, RegExp][] = [
      ['not a JWS', 'a.b', /not a compact JWS/],
      ['alg none', `${b64({ alg: 'none', typ: 'dpop+jwt' })}.${b64({ iat: now })}.`, /not a compact JWS|refused/],
      ['HS256', `${symmetric}.${hmac(symmetric)}`, /refused/],
      ['no typ', handMade({ ath }, { typ: undefined }), /refused/],
      ['another typ', handMade({ ath }, { typ: 'JWT' }), /refused/],
      ['no jwk', handMade({ ath }, { jwk: undefined }), /refused/],
      ['a private jwk', handMade({ ath }, { jwk: rsa.privateKey.export({ format: 'jwk' }) }), /refused/],
      ['no jti', handMade({ ath, jti: undefined }), /jti/],
      ['an hour old', handMade({ ath, iat: now - 3600 }), /iat/],
      ['an hour ahead', handMade({ ath, iat: now + 3600 }), /iat/],
      ['no ath', handMade({}), /ath/]
    ];
    for (const [name, proof, reason] of cases) expect(await refusal(await proof), name).to.match(reason);
    const [header, payload] = (await handMade({ ath })).split('.');
    const other = (await handMade({ ath })).split('.')[2];
    expect(await refusal(`${header}.${payload}.${other}`), 'another signature').to.match(/refused/);
    // Ten seconds off either way is fine (the FAPI 2.0 conformance tests send such proofs).
    for (const iat of [now - 10, now + 10])
      await verifyDpopProof(await handMade({ ath, iat }), { method: 'GET', url: API, accessToken: TOKEN });
  });

  it('holds a proof whose header it met before to every rule: its key is imported once, nothing else is kept', async function () {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const first = await handMade({ ath: accessTokenHash(TOKEN) }, {}, key);
    const taken = await verifyDpopProof(first, { method: 'GET', url: API, accessToken: TOKEN });
    const again = await handMade({ ath: accessTokenHash(TOKEN) }, {}, key);
    expect((await verifyDpopProof(again, { method: 'GET', url: API, accessToken: TOKEN })).jkt).to.equal(taken.jkt);
    // Same header text, now where ES256 is not taken; and another signer claiming that header's key.
    expect(
      await refusal(again, { method: 'GET', url: API, accessToken: TOKEN, algorithms: ['PS256'] } as never)
    ).to.match(/alg/);
    const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ jti: 'forged', htm: 'GET', htu: API, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicKey.export({ format: 'jwk' }) } as never)
      .sign(impostor.privateKey);
    expect(await refusal(forged, { method: 'GET', url: API } as never)).to.match(/signature/);
  });

  it('refuses an RSA key with an unusual exponent before verifying anything', async function () {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const proof = await handMade({ ath: accessTokenHash(TOKEN) }, { jwk: { ...rsa, e: 'AQAD' } });
    expect(await refusal(proof)).to.match(/RSA exponent/);
  });

  it('takes a proof at a resource only for the gateway’s own origins, whatever Host the request names', async function () {
    const possession = new ProofOfPossession(proofsChecker(), NO_CERTIFICATES, API, ['https://apis.example.com']);
    const asked = async (url: string, host: string) => {
      const { proof, jkt } = await clientProof('GET', url);
      const req = {
        method: 'GET',
        originalUrl: '/orders/7',
        url: '/orders/7',
        protocol: 'https',
        headers: { authorization: `DPoP ${TOKEN}`, host },
        headersDistinct: { dpop: [proof] }
      } as unknown as Request;
      return possession.check(req, TOKEN, { jkt } as ValidatedToken, true).then(
        () => 'taken',
        (err: Error) => err.message
      );
    };
    expect(await asked(API, 'api.example.com')).to.equal('taken');
    expect(await asked('https://apis.example.com/orders/7', 'whatever')).to.equal('taken');
    expect(await asked('https://elsewhere.example/orders/7', 'elsewhere.example')).to.match(/htu/);
  });

  it('takes no token bound to no key where only bound ones are taken (FAPI 2.0), as Bearer or not', async function () {
    const possession = new ProofOfPossession(proofsChecker(), NO_CERTIFICATES, API, [], true);
    const req = {
      method: 'GET',
      originalUrl: '/orders/7',
      url: '/orders/7',
      headers: { authorization: `Bearer ${TOKEN}` },
      headersDistinct: {}
    } as unknown as Request;
    const refusal = await possession.check(req, TOKEN, {} as ValidatedToken, false).then(
      () => 'taken',
      (err: Error) => err.message
    );
    expect(refusal).to.match(/Only DPoP-bound access tokens are taken here \(FAPI 2.0\)/);
    const open = new ProofOfPossession(proofsChecker(), NO_CERTIFICATES, API, []);
    expect(await open.check(req, TOKEN, {} as ValidatedToken, false)).to.equal(undefined);
  });

  it('reads one DPoP header, and refuses a request carrying two', function () {
    const request = (values: string[]) => ({ headersDistinct: { dpop: values } }) as unknown as IncomingMessage;
    expect(dpopHeaderOf(request([]))).to.equal(undefined);
    expect(dpopHeaderOf(request(['a.b.c']))).to.equal('a.b.c');
    expect(() => dpopHeaderOf(request(['a.b.c', 'd.e.f']))).to.throw(InvalidDpopProof, /more than one/);
  });

  it('takes each proof once, on every instance sharing the store (§11.1)', async function () {
    const db = new RedisMock();
    const instance = () => new DpopProofs(new ReplayGuard(db, 'test:'), new DpopNonces(SECRET), false, DPOP_ALGORITHMS);
    const { proof } = await clientProof('GET', API);
    const expected = { method: 'GET', url: API, accessToken: TOKEN };
    await instance().take(proof, expected);
    const second = await instance()
      .take(proof, expected)
      .then(
        () => 'taken',
        (err: InvalidDpopProof) => err.reason
      );
    expect(second).to.match(/used before/);
  });

  it('reads the key another issuer bound its token to (cnf.jkt), so that the policy asks for its proof', function () {
    expect(fromClaims({ sub: 'u', cnf: { jkt: 'thumb' } }, 'https://idp.example').jkt).to.equal('thumb');
    expect(fromClaims({ sub: 'u' }, 'https://idp.example').jkt).to.equal(undefined);
  });
});

/** RFC 9449 §8, §9: nonces the gateway gives, taken by every instance sharing its session secret. */
describe('DPoP server nonces (RFC 9449 §8, §9)', function () {
  const expected = { method: 'GET', url: API, accessToken: TOKEN };
  const failure = (checker: DpopProofs, proof: string) =>
    checker.take(proof, expected).then(
      () => null,
      (err: unknown) => err
    );

  it('asks for a nonce where nonces are required, and takes the proof carrying the one given', async function () {
    const checker = proofsChecker(true);
    const refused = await failure(checker, await handMade({ ath: accessTokenHash(TOKEN) }));
    expect(refused).to.be.instanceOf(UseDpopNonce);
    const nonce = (refused as UseDpopNonce).nonce;
    const taken = await checker.take(await handMade({ ath: accessTokenHash(TOKEN), nonce }), expected);
    expect(taken.nextNonce).to.equal(undefined);
  });

  it('takes a proof without a nonce where nonces are not required, but holds one that names a nonce to it', async function () {
    const checker = proofsChecker(false);
    await checker.take(await handMade({ ath: accessTokenHash(TOKEN) }), expected);
    const forged = await failure(checker, await handMade({ ath: accessTokenHash(TOKEN), nonce: 'made-up' }));
    expect(forged).to.be.instanceOf(UseDpopNonce);
  });

  it("takes another instance's nonce with the same secret, and refuses one made with another secret", async function () {
    const nonce = new DpopNonces(SECRET).current();
    await proofsChecker(true).take(await handMade({ ath: accessTokenHash(TOKEN), nonce }), expected);
    const other = await failure(
      proofsChecker(true, 'another session secret of thirty-two characters'),
      await handMade({ ath: accessTokenHash(TOKEN), nonce })
    );
    expect(other).to.be.instanceOf(UseDpopNonce);
  });

  it("takes the last window's nonce and hands a newer one; refuses older ones, later ones and malformed ones", function () {
    const nonces = new DpopNonces(SECRET);
    const now = Date.now();
    const windowMs = DPOP_NONCE_WINDOW_S * 1000;
    expect(nonces.standing(nonces.current(now), now)).to.equal('current');
    expect(nonces.standing(nonces.current(now - windowMs), now)).to.equal('previous');
    expect(nonces.standing(nonces.current(now - 2 * windowMs), now)).to.equal('invalid');
    // Another instance's clock may run a little ahead.
    expect(nonces.standing(nonces.current(now + windowMs), now)).to.equal('current');
    expect(nonces.standing(nonces.current(now + 2 * windowMs), now)).to.equal('invalid');
    const [window, mac] = nonces.current(now).split('.');
    for (const bad of [
      `${window}.${mac!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
      `${window}`,
      42,
      '',
      'x'.repeat(100)
    ])
      expect(nonces.standing(bad, now)).to.equal('invalid');
  });

  it('gives the next nonce with a proof that carried the previous window’s', async function () {
    const nonce = new DpopNonces(SECRET).current(Date.now() - DPOP_NONCE_WINDOW_S * 1000);
    const taken = await proofsChecker(true).take(await handMade({ ath: accessTokenHash(TOKEN), nonce }), expected);
    expect(taken.nextNonce).to.equal(new DpopNonces(SECRET).current());
  });
});
