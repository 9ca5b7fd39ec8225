import type { Redis } from 'ioredis';

export interface ThrottleSubject { kind: string; subject: string; limit: number }

/**
 * Attempt counters in Redis, shared by every gateway instance; a counter
 * lives until a window passes without a new attempt. An attempt is counted
 * before the password is checked, so concurrent guesses cannot slip past
 * the limit between a check and an increment.
 * (A rate-limit library was weighed; the maintained ones run Lua scripts,
 * which EG's emulated store cannot execute, and this is two commands.)
 */
export class Throttle {
  constructor(private readonly db: Redis, private readonly prefix: string, private readonly windowSeconds: number) {}

  private key(kind: string, subject: string): string { return `${this.prefix}throttle:${kind}:${subject}`; }

  /** Counts one attempt for every subject; true when any of them is now over its limit. */
  async overLimit(subjects: ThrottleSubject[]): Promise<boolean> {
    const tx = this.db.multi();
    for (const { kind, subject } of subjects) {
      const key = this.key(kind, subject);
      tx.incr(key).expire(key, this.windowSeconds);
    }
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    return subjects.some(({ limit }, i) => Number(results[i * 2][1]) > limit);
  }

  /** A successful attempt: forget the subject's failures. */
  async clear(kind: string, subject: string): Promise<void> {
    await this.db.del(this.key(kind, subject));
  }

  /** A successful attempt by a shared subject (an IP): take back just that attempt. */
  async forgive(kind: string, subject: string): Promise<void> {
    await this.db.decr(this.key(kind, subject));
  }
}
