import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { digest } from '../../lib/secret-value';
import { RevocationFeed, revocationFeed } from '../../lib/store/revocation-feed';
import { TokenCache } from '../../lib/tokens/token-cache';
import type { ValidatedToken } from '../../lib/tokens/validated-token';

const RedisMock = require('ioredis-mock');
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

const token = (id: string): ValidatedToken => ({
  id,
  scopes: ['read'],
  issuedAt: 0,
  expiresAt: 0,
  issuer: 'i',
  audience: [],
  resources: [],
  subject: 'u1',
  clientId: 'app1',
  userId: 'u1',
  username: 'alice',
  grantType: '',
  redirectUri: '',
  grantId: `g-${id}`,
  consumer: {}
});

/** The cache of validations that revocations must reach at once (the emulated feed is in-process). */
describe('token cache: revocations drop cached validations', function () {
  let feed: RevocationFeed;
  let cache: TokenCache;
  const later = () => Date.now() + 60000;
  beforeEach(function () {
    feed = revocationFeed(new RedisMock() as Redis, `test-${Math.random()}`, true, quiet);
    cache = new TokenCache(100, feed);
  });

  it('drops an entry named by its token digest (as the store names tokens), jti, grant, app or user', function () {
    const names = [
      { tokens: [digest('t1')] },
      { jtis: ['j2'] },
      { grants: ['g-j3'] },
      { apps: ['app1'] },
      { users: ['u1'] }
    ];
    names.forEach((event, i) => {
      cache.put(`t${i + 1}`, token(`j${i + 1}`), later(), cache.currentGeneration);
      expect(cache.get(`t${i + 1}`)).to.not.equal(null);
      feed.publish(event);
      expect(cache.get(`t${i + 1}`), JSON.stringify(event)).to.equal(null);
    });
  });

  it('keeps a token longer than 1024 characters by its digest, and still drops it when a revocation names it', function () {
    const long = `eyJ${'a'.repeat(3000)}.b.c`;
    cache.put(long, token('j-long'), later(), cache.currentGeneration);
    expect(cache.get(long)).to.not.equal(null);
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(
      keys.every((key) => key.length <= 1024),
      'no key as long as the token'
    ).to.equal(true);
    feed.publish({ tokens: [digest(long)] });
    expect(cache.get(long)).to.equal(null);
  });

  it('is shared by name only while its configuration is the same: one filled under other rules is dropped, never consulted (issue 15, item 3)', function () {
    const name = `local tokens ${Math.random()}`;
    const first = TokenCache.shared(name, 'issuer A, key 1', 100, feed);
    first.put('d1', token('j1'), later(), first.currentGeneration);
    expect(TokenCache.shared(name, 'issuer A, key 1', 100, feed), 'a hot reload with the same settings').to.equal(
      first
    );
    const second = TokenCache.shared(name, 'issuer A, key 2', 100, feed);
    expect(second).to.not.equal(first);
    expect(second.get('d1'), 'the new rules start empty').to.equal(null);
    expect(TokenCache.shared(name, 'issuer A, key 2', 100, feed), 'and keep their own cache').to.equal(second);
    // The replaced one serves only the pipelines built under the rules that filled it, until EG keeps the new
    // configuration and it is disposed (test/loading/hot-reload.test.ts, refused-reload.test.ts).
    expect(first.get('d1'), 'the old rules still answer their own').to.not.equal(null);
    first.dispose();
    expect(first.get('d1'), 'a disposed cache answers nothing').to.equal(null);
    first.put('d2', token('j2'), later(), first.currentGeneration);
    expect(first.get('d2')).to.equal(null);
  });

  it('does not keep an answer fetched while a revocation happened (it may predate it)', function () {
    const fetchedAt = cache.currentGeneration;
    feed.publish({ grants: ['some-grant'] });
    cache.put('d1', token('j1'), later(), fetchedAt);
    expect(cache.get('d1')).to.equal(null);
  });

  it('forgets everything when revocations may have been missed, and keeps the size bound', function () {
    for (let i = 0; i < 150; i += 1) cache.put(`d${i}`, token(`j${i}`), later(), cache.currentGeneration);
    expect(cache.get('d0'), 'the oldest went first').to.equal(null);
    expect(cache.get('d149')).to.not.equal(null);
    (feed as unknown as { events: { emit(name: string, event: string): void } }).events.emit('change', 'all');
    expect(cache.get('d149')).to.equal(null);
  });
});
