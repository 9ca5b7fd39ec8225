import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { GrantFactsReader } from '../../lib/store/grant-facts';
import { TokenKeys } from '../../lib/store/token-keys';
import { RefreshTokenRecord, TokenStore } from '../../lib/store/token.store';
import { digest, randomSecret } from '../../lib/secret-value';
import { newAccessToken, newRefreshToken } from '../../lib/tokens/token-value';

const RedisMock = require('ioredis-mock');

/**
 * Races between revoking a grant and a request that is issuing into it,
 * played step by step on EG's emulated store (the same commands run on Redis).
 */
describe('token store: revocation races (RFC 9700 §4.14.2)', function () {
  let db: Redis;
  let store: TokenStore;
  const now = Math.floor(Date.now() / 1000);
  const record = (grantId: string): RefreshTokenRecord => ({
    jti: 'j',
    grantId,
    grantType: 'password',
    appId: 'app',
    userId: 'u',
    username: 'alice',
    redirectUri: '',
    scope: 'read',
    resources: '',
    iat: now,
    exp: now + 3600,
    grantStart: now
  });

  /** A grant id as the issuer makes them, and a token of each kind in it, by name. */
  const grant = (name: string) => name.padEnd(22, '0');
  const tokens = new Map<string, string>();
  const at = (name: string, grantName: string) =>
    tokens.get(name) ??
    tokens.set(name, newAccessToken({ appId: 'app', userId: 'u', grantId: grant(grantName) })).get(name)!;
  const rt = (name: string, grantName: string) =>
    tokens.get(name) ?? tokens.set(name, newRefreshToken(grant(grantName))).get(name)!;

  beforeEach(function () {
    db = new RedisMock();
    tokens.clear();
    store = new TokenStore(db, new TokenKeys('P:', false), 1209600, () => undefined);
  });

  it('deletes tokens saved into a grant after it was revoked, and says so', async function () {
    expect(
      await store.saveIssued(
        { token: at('at-1', 'g1'), record: record(grant('g1')) },
        { token: rt('rt-1', 'g1'), record: record(grant('g1')) },
        now + 3600,
        now
      )
    ).to.equal(true);
    await store.revokeGrant(grant('g1'));
    const saved = await store.saveIssued(
      { token: at('at-2', 'g1'), record: record(grant('g1')) },
      { token: rt('rt-2', 'g1'), record: record(grant('g1')) },
      now + 3600,
      now
    );
    expect(saved).to.equal(false);
    expect(await db.exists(`P:at:${grant('g1')}:${digest(at('at-2', 'g1'))}`)).to.equal(0);
    expect(await db.exists(`P:rt:${grant('g1')}:${digest(rt('rt-2', 'g1'))}`)).to.equal(0);
  });

  it("deletes a grant's facts with it, and those a save after its revocation wrote, and takes it out of its owners' indexes", async function () {
    const facts = new GrantFactsReader(db, new TokenKeys('P:', false));
    await store.saveIssued(
      { token: at('at-1', 'g6'), record: record(grant('g6')) },
      { token: rt('rt-1', 'g6'), record: record(grant('g6')) },
      now + 3600,
      now - 60
    );
    const [found] = await facts.read([grant('g6')]);
    expect(found).to.include({ appId: 'app', userId: 'u', scope: 'read', grantedAt: now - 60, lastUsedAt: now });
    expect(await store.liveGrants('user', 'u')).to.include(grant('g6'));
    await store.revokeGrant(grant('g6'));
    expect(await db.exists(`P:grant-facts:${grant('g6')}`)).to.equal(0);
    expect(await store.liveGrants('user', 'u')).not.to.include(grant('g6'));
    expect(await store.liveGrants('app', 'app')).not.to.include(grant('g6'));
    const saved = await store.saveIssued(
      { token: at('at-2', 'g6'), record: record(grant('g6')) },
      null,
      now + 3600,
      now
    );
    expect(saved).to.equal(false);
    expect(await db.exists(`P:grant-facts:${grant('g6')}`)).to.equal(0);
    expect(await facts.read([grant('g6')])).to.deep.equal([]);
  });

  it("reads the facts of a grant an earlier version issued from its refresh token, and keeps a grant's scope through a refresh that does not rotate", async function () {
    const facts = new GrantFactsReader(db, new TokenKeys('P:', false));
    await store.saveIssued(
      { token: at('at-1', 'g7'), record: record(grant('g7')) },
      { token: rt('rt-1', 'g7'), record: { ...record(grant('g7')), scope: 'read write', grantStart: now - 600 } },
      now + 3600,
      now - 600
    );
    await store.saveIssued(
      { token: at('at-2', 'g7'), record: { ...record(grant('g7')), iat: now + 5 } },
      null,
      now + 3600,
      now - 600
    );
    expect((await facts.read([grant('g7')]))[0]).to.include({ scope: 'read write', lastUsedAt: now + 5 });
    await db.del(`P:grant-facts:${grant('g7')}`); // as before facts were kept
    // A rotated refresh token's key, expired since, still named in the grant's set, ahead of the live one.
    await db.sadd(`P:grant:${grant('g7')}`, `P:rt:${grant('g7')}:gone`);
    expect((await facts.read([grant('g7')]))[0]).to.include({
      appId: 'app',
      scope: 'read write',
      grantedAt: now - 600,
      lastUsedAt: now
    });
  });

  it("takes every grant of a user out of its app's index too, and no client_credentials grant has facts", async function () {
    await store.saveIssued({ token: at('at-1', 'g8'), record: record(grant('g8')) }, null, now + 3600, now);
    const clientOwn = { ...record(grant('g9')), userId: '', username: '' };
    await store.saveIssued({ token: at('at-1', 'g9'), record: clientOwn }, null, now + 3600, now);
    expect(await db.exists(`P:grant-facts:${grant('g9')}`)).to.equal(0);
    expect(await store.liveGrants('app', 'app')).to.include(grant('g8'));
    await store.revokeAllOf('user', 'u');
    const appGrants = await store.liveGrants('app', 'app');
    expect(appGrants).not.to.include(grant('g8'));
    expect(appGrants).to.include(grant('g9'));
  });

  it('does not let a refresh token revoked between read and use come back to life', async function () {
    await store.saveIssued(
      { token: at('at-1', 'g2'), record: record(grant('g2')) },
      { token: rt('rt-1', 'g2'), record: record(grant('g2')) },
      now + 3600,
      now
    );
    const found = await store.findRefreshToken(rt('rt-1', 'g2'));
    expect(found?.grantId).to.equal(grant('g2'));
    await store.revokeGrant(grant('g2'));
    expect(await store.markRefreshTokenUsed(rt('rt-1', 'g2'), now)).to.deep.equal({ use: 'gone' });
    expect(await db.exists(`P:rt:${grant('g2')}:${digest(rt('rt-1', 'g2'))}`)).to.equal(0);
  });

  it('tells a first use from a replay, and the replay when the first use was (for refreshToken.rotationGracePeriod)', async function () {
    await store.saveIssued(
      { token: at('at-1', 'g3'), record: record(grant('g3')) },
      { token: rt('rt-1', 'g3'), record: record(grant('g3')) },
      now + 3600,
      now
    );
    const [first, second] = await Promise.all([
      store.markRefreshTokenUsed(rt('rt-1', 'g3'), now + 0.25),
      store.markRefreshTokenUsed(rt('rt-1', 'g3'), now + 0.5)
    ]);
    expect(first).to.deep.equal({ use: 'first' });
    expect(second).to.deep.equal({ use: 'replayed', usedAt: now + 0.25 });
    expect((await store.findRefreshToken(rt('rt-1', 'g3')))?.usedAt).to.equal(now + 0.25);
  });

  it('keeps the grant start in the refresh token, and reads one written before it was kept as starting at its own iat', async function () {
    await store.saveIssued(
      { token: at('at-1', 'g4'), record: record(grant('g4')) },
      { token: rt('rt-1', 'g4'), record: { ...record(grant('g4')), grantStart: now - 600 } },
      now + 3600,
      now
    );
    expect((await store.findRefreshToken(rt('rt-1', 'g4')))?.grantStart).to.equal(now - 600);
    const { grantStart, ...older } = record(grant('g5'));
    const olderToken = randomSecret(); // the bare secret refresh tokens were before they named their grant
    await db.hmset(
      `P:rt:${digest(olderToken)}`,
      Object.fromEntries(Object.entries({ ...older, iat: now - 60 }).map(([k, v]) => [k, String(v)]))
    );
    expect((await store.findRefreshToken(olderToken))?.grantStart).to.equal(now - 60);
  });

  it('revokes with all of an app the grants an earlier version indexed by a key each, for the longest token life after this version last started', async function () {
    const legacy = new TokenStore(db, new TokenKeys('P:', false), 3600, () => undefined, true);
    const seed = async (grant: string) => {
      const refresh = randomSecret(); // a refresh token as earlier versions made them
      const key = `P:rt:${digest(refresh)}`;
      const hash = Object.fromEntries(Object.entries(record(grant)).map(([k, v]) => [k, String(v)]));
      await db.hmset(key, hash);
      await db.sadd(`P:grant:${grant}`, key);
      await db.set(`P:app-grant:app:${grant}`, '1');
      return refresh;
    };
    await legacy.noteIndexLayout();
    const recent = await seed(grant('g6'));
    expect(await legacy.revokeAllOf('app', 'app')).to.equal(1);
    expect(await legacy.findRefreshToken(recent)).to.equal(null);
    // A last start longer ago than the longest token life: no grant of an earlier version can be live, none is looked for.
    await db.set('P:owned-grants-since', String(Date.now() - 3601 * 1000));
    const stale = await seed(grant('g7'));
    expect(await legacy.revokeAllOf('app', 'app')).to.equal(0);
    expect(await legacy.findRefreshToken(stale)).to.not.equal(null);
  });
});
