import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { VerifiedSecrets } from '../../lib/credentials/verified-secrets';
import { SingleFlight } from '../../lib/single-flight';

describe('VerifiedSecrets: what a bcrypt check leaves behind', function () {
  let hash: string;
  before(async function () { hash = await bcrypt.hash('s3cret', 4); });

  it('recalls a secret only after it matched, and only against the same stored hash', async function () {
    const secrets = new VerifiedSecrets(60, 10);
    expect(secrets.recalls('app', 'a1', 's3cret', hash)).to.equal(false);
    expect(await secrets.verify('app', 'a1', 'wrong', hash)).to.equal(false);
    expect(secrets.recalls('app', 'a1', 'wrong', hash)).to.equal(false);
    expect(await secrets.verify('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(secrets.recalls('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(secrets.recalls('app', 'a1', 's3cret', await bcrypt.hash('s3cret', 4)), 'a new hash is a new credential').to.equal(false);
    expect(secrets.recalls('user', 'a1', 's3cret', hash), 'another kind of owner').to.equal(false);
    expect(secrets.recalls('app', 'a2', 's3cret', hash), 'another owner').to.equal(false);
  });

  it('forgets an owner on request, and everything after ttl', async function () {
    const secrets = new VerifiedSecrets(1, 10);
    await secrets.verify('user', 'u1', 's3cret', hash);
    await secrets.verify('user', 'u2', 's3cret', hash);
    secrets.forget('user', ['u1']);
    expect(secrets.recalls('user', 'u1', 's3cret', hash)).to.equal(false);
    expect(secrets.recalls('user', 'u2', 's3cret', hash)).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(secrets.recalls('user', 'u2', 's3cret', hash)).to.equal(false);
  });

  it('remembers nothing with ttl 0, and at most maxEntries owners (the oldest go first)', async function () {
    const off = new VerifiedSecrets(0, 10);
    expect(await off.verify('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(off.recalls('app', 'a1', 's3cret', hash)).to.equal(false);
    const small = new VerifiedSecrets(60, 2);
    for (const id of ['a1', 'a2', 'a3']) await small.verify('app', id, 's3cret', hash);
    expect(['a1', 'a2', 'a3'].map((id) => small.recalls('app', id, 's3cret', hash))).to.deep.equal([false, true, true]);
  });
});

describe('SingleFlight: concurrent identical work runs once', function () {
  it('shares one run between concurrent callers of a key, and runs again once it settled', async function () {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = () => new Promise<number>((resolve) => { runs += 1; setTimeout(() => resolve(runs), 20); });
    const results = await Promise.all([flight.run('k', work), flight.run('k', work), flight.run('other', work)]);
    expect(runs).to.equal(2);
    expect(results[0]).to.equal(results[1]);
    await flight.run('k', work);
    expect(runs).to.equal(3);
  });

  it('shares a failure too, and forgets it', async function () {
    const flight = new SingleFlight<number>();
    const failing = () => Promise.reject(new Error('down'));
    const both = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    expect(both.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await flight.run('k', () => Promise.resolve(1))).to.equal(1);
  });
});
