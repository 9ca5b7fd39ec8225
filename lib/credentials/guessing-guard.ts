import { createHash, randomBytes } from 'crypto';
import type { EgLogger } from '../eg/types';
import { SingleFlight } from '../single-flight';
import type { Throttle, ThrottleSubject } from '../store/throttle';
import type { BcryptPool } from './bcrypt-pool';
import type { SecretOwner, VerifiedSecrets } from './verified-secrets';

/** A counter of an attempt, and what a right secret does to it. */
export interface GuardedCounter extends ThrottleSubject {
  /** clear: the account's own counter starts again; forgive: a shared counter (an IP) takes back just this attempt. */
  onRight: 'clear' | 'forgive';
  /** How a log line names the subject when it locks, e.g. `client "abc"`. */
  named: string;
}

export interface GuessAttempt {
  owner: SecretOwner;
  /** The account's id and its bcrypt hash as stored now; null when there is no such account. */
  account: { id: string; hash: string } | null;
  secret: string;
  counters: GuardedCounter[];
  /** Without an account, compare with a decoy hash anyway, so that timing does not tell which accounts exist. */
  decoy: boolean;
}

export type GuessOutcome = { result: 'right' } | { result: 'wrong' } | { result: 'locked'; retryAfter: number };

/**
 * Every check of a guessable secret (a client secret at the token,
 * revocation, introspection and device endpoints; a user's password on the
 * login page and in the password grant) goes through here, so that none is a
 * side door:
 * - a lock holds for everyone: past a limit every attempt is refused, right
 *   or wrong, without a bcrypt, until the window passes. A secret recently
 *   proven right (VerifiedSecrets) skips bcrypt, never the lock (issue 15,
 *   item 2: a remembered password let a locked-out guesser through);
 * - every attempt that will run bcrypt is counted before it runs, so
 *   concurrent guesses, on any instance, cannot slip past a limit;
 * - identical concurrent attempts (same account, secret and counters) are
 *   one attempt and one bcrypt run, so a burst of honest retries is not
 *   taken for guessing;
 * - bcrypt runs on the worker pool, never on the event loop.
 */
export class GuessingGuard {
  private readonly attempts = new SingleFlight<GuessOutcome>();
  private decoyHash?: Promise<string>;

  /** @param saltRounds EG's crypto.saltRounds: the decoy costs what a real hash costs. */
  constructor(
    private readonly throttle: Throttle,
    private readonly secrets: VerifiedSecrets,
    private readonly pool: BcryptPool,
    private readonly saltRounds: number,
    private readonly logger: EgLogger
  ) {}

  async check(attempt: GuessAttempt): Promise<GuessOutcome> {
    const { owner, account, secret, counters } = attempt;
    if (account && this.secrets.recalls(owner, account.id, secret, account.hash)) {
      const retryAfter = await this.throttle.lockedFor(counters);
      return retryAfter > 0 ? { result: 'locked', retryAfter } : { result: 'right' };
    }
    const same = createHash('sha256').update(JSON.stringify([owner, account?.id ?? null, counters.map((c) => [c.kind, c.subject])])).update('\0').update(secret).digest('base64');
    return this.attempts.run(same, () => this.guess(attempt));
  }

  private async guess({ owner, account, secret, counters, decoy }: GuessAttempt): Promise<GuessOutcome> {
    const counted = await this.throttle.count(counters);
    for (const counter of counted.crossed) {
      this.logger.warn(`oauth2: ${counter.named} locked after ${counter.limit} failed ${owner === 'app' ? 'client authentications' : 'sign-ins'}; ` +
        `every attempt is refused for ${this.throttle.windowSeconds} s after the last one`);
    }
    if (counted.over) return { result: 'locked', retryAfter: this.throttle.windowSeconds };
    let right = false;
    if (account) right = await this.secrets.verify(owner, account.id, secret, account.hash);
    else if (decoy) await this.pool.compare(secret, await this.decoy());
    if (!right) return { result: 'wrong' };
    await Promise.all(counters.map((c) => (c.onRight === 'clear' ? this.throttle.clear(c.kind, c.subject) : this.throttle.forgive(c.kind, c.subject))));
    return { result: 'right' };
  }

  /** A bcrypt hash of nothing anybody knows, at EG's cost, made once (on the pool). */
  private decoy(): Promise<string> {
    this.decoyHash ??= this.pool.hash(randomBytes(16).toString('hex'), this.saltRounds);
    this.decoyHash.catch(() => { this.decoyHash = undefined; });
    return this.decoyHash;
  }
}
