import type { Redis } from 'ioredis';

/**
 * Failure counters in Redis, each kept until a window passes without a new
 * failure, shared by every gateway instance.
 * (A rate-limit library was weighed; the maintained ones run Lua scripts,
 * which EG's emulated store cannot execute, and this is two commands.)
 */
export class Throttle {
  constructor(private readonly db: Redis, private readonly prefix: string, private readonly windowSeconds: number) {}

  private key(kind: string, subject: string): string { return `${this.prefix}throttle:${kind}:${subject}`; }

  /** Whether any of these subjects has reached its limit in the current window. */
  async isLocked(subjects: Array<{ kind: string; subject: string; limit: number }>): Promise<boolean> {
    const counts = await this.db.mget(...subjects.map(({ kind, subject }) => this.key(kind, subject)));
    return subjects.some(({ limit }, i) => Number(counts[i] ?? 0) >= limit);
  }

  async recordFailure(subjects: Array<{ kind: string; subject: string }>): Promise<void> {
    const tx = this.db.multi();
    for (const { kind, subject } of subjects) {
      const key = this.key(kind, subject);
      tx.incr(key).expire(key, this.windowSeconds);
    }
    await tx.exec();
  }

  async clear(kind: string, subject: string): Promise<void> {
    await this.db.del(this.key(kind, subject));
  }
}
