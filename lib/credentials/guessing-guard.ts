import { createHash, randomBytes } from 'crypto';
import type { EgLogger } from '../eg/types';
import { SingleFlight } from '../single-flight';
import type { RevocationEvent, RevocationFeed } from '../store/revocation-feed';
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

/** How long a counter read as unlocked is trusted without the feed saying otherwise, and how many are kept. */
const UNLOCKED_MS = 1000;
const MAX_UNLOCKED = 10000;

const lockKey = (counter: ThrottleSubject) => `${counter.kind}:${counter.subject}`;

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
  private decoyHash?: Promise<string> | undefined;
  /**
   * Counters this instance read as unlocked, until when (epoch ms): a
   * secret proven right is then let through without a Redis read, as
   * before there were locks. A counter that reaches its limit on any
   * instance is announced on the feed and dropped here at once; while the
   * feed is down nothing is remembered, and nothing longer than a second.
   */
  private readonly unlocked = new Map<string, number>();

  /** @param saltRounds EG's crypto.saltRounds: the decoy costs what a real hash costs. */
  constructor(
    private readonly throttle: Throttle,
    private readonly secrets: VerifiedSecrets,
    private readonly pool: BcryptPool,
    private readonly saltRounds: number,
    private readonly feed: RevocationFeed,
    private readonly logger: EgLogger
  ) {
    feed.onChange(this.follow);
  }

  private readonly follow = (event: RevocationEvent | 'all') => {
    if (event === 'all') return this.unlocked.clear();
    for (const key of event.locks ?? []) this.unlocked.delete(key);
  };

  /** Stops following the feed (a guard a reload replaced). */
  dispose(): void {
    this.feed.offChange(this.follow);
  }

  async check(attempt: GuessAttempt): Promise<GuessOutcome> {
    const { owner, account, secret, counters } = attempt;
    if (account && this.secrets.recalls(owner, account.id, secret, account.hash)) {
      const retryAfter = await this.lockedFor(counters);
      return retryAfter > 0 ? { result: 'locked', retryAfter } : { result: 'right' };
    }
    const same = createHash('sha256')
      .update(JSON.stringify([owner, account?.id ?? null, counters.map((c) => [c.kind, c.subject])]))
      .update('\0')
      .update(secret)
      .digest('base64');
    return this.attempts.run(same, () => this.guess(attempt));
  }

  /** Throttle.lockedFor, answered from `unlocked` when every counter was read unlocked less than a second ago. */
  private async lockedFor(counters: GuardedCounter[]): Promise<number> {
    const now = Date.now();
    const keys = counters.map(lockKey);
    if (this.feed.connected && keys.every((key) => (this.unlocked.get(key) ?? 0) > now)) return 0;
    const retryAfter = await this.throttle.lockedFor(counters);
    if (retryAfter === 0 && this.feed.connected) {
      for (const key of keys) {
        this.unlocked.delete(key); // re-inserted last: the oldest are evicted first
        this.unlocked.set(key, now + UNLOCKED_MS);
      }
      while (this.unlocked.size > MAX_UNLOCKED) this.unlocked.delete(this.unlocked.keys().next().value as string);
    }
    return retryAfter;
  }

  private async guess({ owner, account, secret, counters, decoy }: GuessAttempt): Promise<GuessOutcome> {
    const counted = await this.throttle.count(counters);
    // Locked from now on (until the bcrypt says otherwise): every instance stops trusting what it read.
    if (counted.reached.length > 0) this.feed.publish({ locks: counted.reached.map(lockKey) });
    if (counted.over) return { result: 'locked', retryAfter: this.throttle.windowSeconds };
    let right = false;
    if (account) right = await this.secrets.verify(owner, account.id, secret, account.hash);
    else if (decoy) await this.pool.compare(secret, await this.decoy());
    if (!right) {
      for (const counter of counted.reached) {
        this.logger.warn(
          `oauth2: ${counter.named} locked after ${counter.limit} failed ${owner === 'app' ? 'client authentications' : 'sign-ins'}; ` +
            `every attempt is refused for ${this.throttle.windowSeconds} s after the last one`
        );
      }
      return { result: 'wrong' };
    }
    await Promise.all(
      counters.map((c) =>
        c.onRight === 'clear' ? this.throttle.clear(c.kind, c.subject) : this.throttle.forgive(c.kind, c.subject)
      )
    );
    return { result: 'right' };
  }

  /** A bcrypt hash of nothing anybody knows, at EG's cost, made once (on the pool). */
  private decoy(): Promise<string> {
    this.decoyHash ??= this.pool.hash(randomBytes(16).toString('hex'), this.saltRounds);
    this.decoyHash.catch(() => {
      this.decoyHash = undefined;
    });
    return this.decoyHash;
  }
}
