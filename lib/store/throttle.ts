import type { StoreConnection } from './store-connection';

export interface ThrottleSubject {
  kind: string;
  subject: string;
  limit: number;
}

/**
 * One counted attempt: whether it is over a limit, and which subjects this very attempt locked (took to their limit).
 */
export interface Counted<T extends ThrottleSubject> {
  over: boolean;
  reached: T[];
}

/**
 * Attempt counters in Redis, shared by every gateway instance; a counter
 * lives until a window passes without a new attempt. An attempt is counted
 * before the password is checked, so concurrent guesses cannot slip past
 * the limit between a check and an increment.
 * (A rate-limit library was weighed; the maintained ones run Lua scripts,
 * which EG's emulated store cannot execute, and this is two commands.)
 */
export class Throttle {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    readonly windowSeconds: number
  ) {}

  private key(kind: string, subject: string): string {
    return `${this.prefix}throttle:${kind}:${subject}`;
  }

  /** Counts one attempt for every subject; true when any of them is now over its limit. */
  async overLimit(subjects: ThrottleSubject[]): Promise<boolean> {
    return (await this.count(subjects)).over;
  }

  /** Counts one attempt for every subject, and says which limits it reached. */
  async count<T extends ThrottleSubject>(subjects: T[]): Promise<Counted<T>> {
    // A MULTI per counter, sent at once: counters of different subjects may live on different cluster nodes.
    const counts = await Promise.all(
      subjects.map(async ({ kind, subject }) => {
        const key = this.key(kind, subject);
        const [[, count]] = (await this.db.multi().incr(key).expire(key, this.windowSeconds).exec()) as [
          [Error | null, number]
        ];
        return count;
      })
    );
    const counted = subjects.map((subject, i) => ({ subject, count: Number(counts[i]) }));
    return {
      over: counted.some(({ subject, count }) => count > subject.limit),
      reached: counted.filter(({ subject, count }) => count === subject.limit).map(({ subject }) => subject)
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
    // One round trip answers the common case (nothing locked); how long a lock lasts is only asked of a lock.
    const keyed = subjects.map(({ kind, subject, limit }) => ({ key: this.key(kind, subject), limit }));
    const counts = await Promise.all(keyed.map(({ key }) => this.db.get(key)));
    const locked = keyed.filter(({ limit }, i) => Number(counts[i] ?? 0) >= limit).map(({ key }) => key);
    if (locked.length === 0) return 0;
    const left = await Promise.all(locked.map((key) => this.db.pttl(key)));
    return Math.max(1, ...left.map((ms) => Math.ceil(Number(ms) / 1000)));
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
