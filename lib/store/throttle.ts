import type { Redis } from 'ioredis';

export interface ThrottleSubject { kind: string; subject: string; limit: number }

/** One counted attempt: whether it is over a limit, and which subjects this very attempt took past theirs. */
export interface Counted<T extends ThrottleSubject> { over: boolean; crossed: T[] }

/**
 * Attempt counters in Redis, shared by every gateway instance; a counter
 * lives until a window passes without a new attempt. An attempt is counted
 * before the password is checked, so concurrent guesses cannot slip past
 * the limit between a check and an increment.
 * (A rate-limit library was weighed; the maintained ones run Lua scripts,
 * which EG's emulated store cannot execute, and this is two commands.)
 */
export class Throttle {
  constructor(private readonly db: Redis, private readonly prefix: string, readonly windowSeconds: number) {}

  private key(kind: string, subject: string): string { return `${this.prefix}throttle:${kind}:${subject}`; }

  /** Counts one attempt for every subject; true when any of them is now over its limit. */
  async overLimit(subjects: ThrottleSubject[]): Promise<boolean> {
    return (await this.count(subjects)).over;
  }

  /** Counts one attempt for every subject, and says which limits it reached. */
  async count<T extends ThrottleSubject>(subjects: T[]): Promise<Counted<T>> {
    const tx = this.db.multi();
    for (const { kind, subject } of subjects) {
      const key = this.key(kind, subject);
      tx.incr(key).expire(key, this.windowSeconds);
    }
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    const counts = subjects.map((_, i) => Number(results[i * 2][1]));
    return {
      over: subjects.some(({ limit }, i) => counts[i] > limit),
      crossed: subjects.filter(({ limit }, i) => counts[i] === limit + 1)
    };
  }

  /**
   * Whether any subject is locked, without counting an attempt: for a
   * request that is no guess (a secret already proven right) but must still
   * respect a lock, which holds once `limit` failures are counted (the next
   * counted attempt would be over). @returns the seconds until the last lock
   * ends, 0 when none holds.
   */
  async lockedFor(subjects: ThrottleSubject[]): Promise<number> {
    const tx = this.db.multi();
    for (const { kind, subject } of subjects) tx.get(this.key(kind, subject)).pttl(this.key(kind, subject));
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    let seconds = 0;
    subjects.forEach(({ limit }, i) => {
      if (Number(results[i * 2][1] ?? 0) < limit) return;
      seconds = Math.max(seconds, Math.ceil(Number(results[i * 2 + 1][1]) / 1000), 1);
    });
    return seconds;
  }

  /** A successful attempt: forget the subject's failures. */
  async clear(kind: string, subject: string): Promise<void> {
    await this.db.del(this.key(kind, subject));
  }

  /** A successful attempt by a shared subject (an IP): take back just that attempt. */
  async forgive(kind: string, subject: string): Promise<void> {
    const key = this.key(kind, subject);
    // With its expiry again: a counter that expired meanwhile must not come back as an immortal -1.
    await this.db.multi().decr(key).expire(key, this.windowSeconds).exec();
  }
}
