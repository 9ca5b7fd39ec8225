import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { execFile } from 'child_process';
import fs from 'fs';
import { promisify } from 'util';
import { BcryptPool } from '../../lib/credentials/bcrypt-pool';
import { VerifiedSecrets } from '../../lib/credentials/verified-secrets';
import { SingleFlight } from '../../lib/single-flight';
import { oncePerRun } from '../helpers/once-per-run';

describe('VerifiedSecrets: what a bcrypt check leaves behind', function () {
  before(function () {
    oncePerRun(this);
  });
  let hash: string;
  const pool = new BcryptPool(1, 64);
  before(async function () {
    hash = await bcrypt.hash('s3cret', 4);
  });
  after(function () {
    pool.close();
  });

  it('recalls a secret only after it matched, and only against the same stored hash', async function () {
    const secrets = new VerifiedSecrets(60, 10, pool);
    expect(secrets.recalls('app', 'a1', 's3cret', hash)).to.equal(false);
    expect(await secrets.verify('app', 'a1', 'wrong', hash)).to.equal(false);
    expect(secrets.recalls('app', 'a1', 'wrong', hash)).to.equal(false);
    expect(await secrets.verify('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(secrets.recalls('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(
      secrets.recalls('app', 'a1', 's3cret', await bcrypt.hash('s3cret', 4)),
      'a new hash is a new credential'
    ).to.equal(false);
    expect(secrets.recalls('user', 'a1', 's3cret', hash), 'another kind of owner').to.equal(false);
    expect(secrets.recalls('app', 'a2', 's3cret', hash), 'another owner').to.equal(false);
  });

  it('forgets an owner on request, and everything after ttl', async function () {
    const secrets = new VerifiedSecrets(1, 10, pool);
    await secrets.verify('user', 'u1', 's3cret', hash);
    await secrets.verify('user', 'u2', 's3cret', hash);
    secrets.forget('user', ['u1']);
    expect(secrets.recalls('user', 'u1', 's3cret', hash)).to.equal(false);
    expect(secrets.recalls('user', 'u2', 's3cret', hash)).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(secrets.recalls('user', 'u2', 's3cret', hash)).to.equal(false);
  });

  it('remembers nothing with ttl 0, and at most maxEntries owners (the oldest go first)', async function () {
    const off = new VerifiedSecrets(0, 10, pool);
    expect(await off.verify('app', 'a1', 's3cret', hash)).to.equal(true);
    expect(off.recalls('app', 'a1', 's3cret', hash)).to.equal(false);
    const small = new VerifiedSecrets(60, 2, pool);
    for (const id of ['a1', 'a2', 'a3']) await small.verify('app', id, 's3cret', hash);
    expect(['a1', 'a2', 'a3'].map((id) => small.recalls('app', id, 's3cret', hash))).to.deep.equal([false, true, true]);
  });
});

describe('BcryptPool: bcrypt off the event loop, with a bounded queue', function () {
  before(function () {
    oncePerRun(this);
  });
  let hash: string;
  before(async function () {
    hash = await bcrypt.hash('s3cret', 4);
  });

  it('checks and hashes on a worker thread, with the answers bcryptjs gives in-process', async function () {
    const pool = new BcryptPool(2, 8);
    try {
      expect(await Promise.all([pool.compare('s3cret', hash), pool.compare('wrong', hash)])).to.deep.equal([
        true,
        false
      ]);
      const made = await pool.hash('other', 4);
      expect(await bcrypt.compare('other', made)).to.equal(true);
      expect(made.startsWith('$2a$04$') || made.startsWith('$2b$04$')).to.equal(true);
    } finally {
      pool.close();
    }
  });

  it('keeps the event loop free while checks run: a timer set meanwhile fires on time', async function () {
    const pool = new BcryptPool(1, 64);
    try {
      const slow = await bcrypt.hash('s3cret', 12); // a few hundred ms of CPU per check
      const checks = Promise.all(['a', 'b', 'c', 'd'].map((guess) => pool.compare(guess, slow)));
      const started = Date.now();
      const lateness = await new Promise<number>((resolve) => setTimeout(() => resolve(Date.now() - started - 20), 20));
      await checks;
      // In-process, bcryptjs holds the loop ~100 ms per check in turn (the timer comes ~400 ms late); on the pool it is
      // on time.
      expect(lateness).to.be.below(150);
    } finally {
      pool.close();
    }
  });

  it("runs its workers below the event loop's priority, so API calls come first when cores are short (Linux)", async function () {
    if (!fs.existsSync('/proc/self/task')) return this.skip();
    // In a process of its own, so that no other test's threads are counted.
    const script = `
      const fs = require('fs'); const os = require('os');
      const { BcryptPool } = require(${JSON.stringify(require.resolve('../../lib/credentials/bcrypt-pool'))});
      const pool = new BcryptPool(1, 8);
      pool.compare('s3cret', ${JSON.stringify(hash)}).then(() => {
        const nice = fs.readdirSync('/proc/self/task').map((tid) => Number(fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
        console.log(JSON.stringify({ lowered: nice.filter((n) => n > 0).length, main: os.getPriority(0) }));
        pool.close();
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    expect(JSON.parse(stdout)).to.deep.equal({ lowered: 1, main: 0 });
  });

  it('refuses a check at once with 503 temporarily_unavailable and Retry-After once maxQueue checks wait', async function () {
    const pool = new BcryptPool(1, 2);
    try {
      const slow = await bcrypt.hash('s3cret', 10);
      const accepted = [pool.compare('a', slow), pool.compare('b', slow), pool.compare('c', slow)]; // one running, two waiting
      const refused = await pool.compare('d', slow).then(
        () => null,
        (err) => err
      );
      expect(refused).to.include({ error: 'temporarily_unavailable', status: 503 });
      expect(refused.headers['Retry-After']).to.equal('1');
      expect(await Promise.all(accepted)).to.deep.equal([false, false, false]);
    } finally {
      pool.close();
    }
  });
});

describe('SingleFlight: concurrent identical work runs once', function () {
  it('shares one run between concurrent callers of a key, and runs again once it settled', async function () {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = () =>
      new Promise<number>((resolve) => {
        runs += 1;
        setTimeout(() => resolve(runs), 20);
      });
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
