import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { BcryptPool } from '../../lib/credentials/bcrypt-pool';
import { GuessingGuard } from '../../lib/credentials/guessing-guard';
import { VerifiedSecrets } from '../../lib/credentials/verified-secrets';
import { saltRounds } from '../../lib/eg/salt-rounds';
import { revocationFeed } from '../../lib/store/revocation-feed';
import { Throttle } from '../../lib/store/throttle';

const RedisMock = require('ioredis-mock');
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

/** A pool that records what it is asked, answering "wrong" to every comparison. */
function recordingPool() {
  const hashed: number[] = [];
  const pool = {
    hash: async (_secret: string, rounds: number) => {
      hashed.push(rounds);
      return `$2a$${rounds}$decoy`;
    },
    compare: async () => false
  } as unknown as BcryptPool;
  return { pool, hashed };
}

describe('GuessingGuard: what an unknown user name costs', function () {
  it("compares with a decoy hashed at EG's crypto.saltRounds, not a fixed cost (issue 15, item 23)", async function () {
    const { pool, hashed } = recordingPool();
    const throttle = new Throttle(new RedisMock() as Redis, `t${Math.random()}:`, 900);
    const feed = revocationFeed(new RedisMock() as Redis, `f${Math.random()}:`, true, quiet);
    const guard = new GuessingGuard(
      throttle,
      new VerifiedSecrets(60, 10, pool),
      pool,
      saltRounds({ crypto: { saltRounds: 12 } }),
      feed,
      quiet
    );
    const outcome = await guard.check({
      owner: 'user',
      account: null,
      secret: 'guess',
      decoy: true,
      counters: [{ kind: 'user', subject: 'nobody', limit: 5, onRight: 'clear', named: 'nobody' }]
    });
    expect(outcome).to.deep.equal({ result: 'wrong' });
    expect(hashed).to.deep.equal([12]);
  });

  it("reads EG's cost, or EG's own default of 10 when it is not set or unusable", function () {
    expect(saltRounds({ crypto: { saltRounds: 14 } })).to.equal(14);
    expect(saltRounds({})).to.equal(10);
    expect(saltRounds({ crypto: { saltRounds: 99 } })).to.equal(10);
  });
});
