import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { TokenKeys } from '../../lib/store/token-keys';
import { RefreshTokenRecord, TokenStore } from '../../lib/store/token.store';
import { digest } from '../../lib/secret-value';

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
    iat: now,
    exp: now + 3600,
    grantStart: now
  });

  beforeEach(function () {
    db = new RedisMock();
    store = new TokenStore(db, new TokenKeys('P:'), 1209600, () => undefined);
  });

  it('deletes tokens saved into a grant after it was revoked, and says so', async function () {
    expect(
      await store.saveIssued(
        { token: 'at-1', record: record('g1') },
        { token: 'rt-1', record: record('g1') },
        now + 3600
      )
    ).to.equal(true);
    await store.revokeGrant('g1');
    const saved = await store.saveIssued(
      { token: 'at-2', record: record('g1') },
      { token: 'rt-2', record: record('g1') },
      now + 3600
    );
    expect(saved).to.equal(false);
    expect(await db.exists(`P:at:${digest('at-2')}`, `P:rt:${digest('rt-2')}`)).to.equal(0);
  });

  it('does not let a refresh token revoked between read and use come back to life', async function () {
    await store.saveIssued(
      { token: 'at-1', record: record('g2') },
      { token: 'rt-1', record: record('g2') },
      now + 3600
    );
    const found = await store.findRefreshToken('rt-1');
    expect(found?.grantId).to.equal('g2');
    await store.revokeGrant('g2');
    expect(await store.markRefreshTokenUsed('rt-1', now)).to.deep.equal({ use: 'gone' });
    expect(await db.exists(`P:rt:${digest('rt-1')}`)).to.equal(0);
  });

  it('tells a first use from a replay, and the replay when the first use was (for refreshToken.rotationGracePeriod)', async function () {
    await store.saveIssued(
      { token: 'at-1', record: record('g3') },
      { token: 'rt-1', record: record('g3') },
      now + 3600
    );
    const [first, second] = await Promise.all([
      store.markRefreshTokenUsed('rt-1', now + 0.25),
      store.markRefreshTokenUsed('rt-1', now + 0.5)
    ]);
    expect(first).to.deep.equal({ use: 'first' });
    expect(second).to.deep.equal({ use: 'replayed', usedAt: now + 0.25 });
    expect((await store.findRefreshToken('rt-1'))?.usedAt).to.equal(now + 0.25);
  });

  it('keeps the grant start in the refresh token, and reads one written before it was kept as starting at its own iat', async function () {
    await store.saveIssued(
      { token: 'at-1', record: record('g4') },
      { token: 'rt-1', record: { ...record('g4'), grantStart: now - 600 } },
      now + 3600
    );
    expect((await store.findRefreshToken('rt-1'))?.grantStart).to.equal(now - 600);
    const { grantStart, ...older } = record('g5');
    await db.hmset(
      `P:rt:${digest('rt-old')}`,
      Object.fromEntries(Object.entries({ ...older, iat: now - 60 }).map(([k, v]) => [k, String(v)]))
    );
    expect((await store.findRefreshToken('rt-old'))?.grantStart).to.equal(now - 60);
  });
});
