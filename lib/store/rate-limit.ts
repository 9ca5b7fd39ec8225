import type { Redis } from 'ioredis';

/** One counted subject: `limit` requests per window. */
export interface RateSubject {
  kind: string;
  subject: string;
  limit: number;
}

/** Over the limit: how long until the window that refused the request ends. */
export interface RateRefusal {
  retryAfterSeconds: number;
}

/**
 * Request rates in fixed windows, counted in Redis so that every gateway
 * instance shares one count. Unlike Throttle (a lock that lasts until a
 * window passes without a new failure), a steady client below the rate is
 * never refused: each window starts from zero when it ends. The window is
 * created and counted in one transaction (SET NX EX, then INCR), which EG's
 * emulated store executes too.
 */
export class RateLimit {
  constructor(
    private readonly db: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number
  ) {}

  private key(kind: string, subject: string): string {
    return `${this.prefix}rate:${kind}:${subject}`;
  }

  /** Counts one request for every subject; a refusal when any of them is now over its limit, else null. */
  async count(subjects: RateSubject[]): Promise<RateRefusal | null> {
    const tx = this.db.multi();
    for (const { kind, subject } of subjects) {
      const key = this.key(kind, subject);
      tx.set(key, '0', 'EX', this.windowSeconds, 'NX').incr(key).pttl(key);
    }
    const results = (await tx.exec()) as Array<[Error | null, unknown]>;
    let retryAfterSeconds = 0;
    subjects.forEach(({ limit }, i) => {
      if (Number(results[i * 3 + 1]?.[1]) <= limit) return;
      const left = Math.ceil(Number(results[i * 3 + 2]?.[1]) / 1000);
      retryAfterSeconds = Math.max(retryAfterSeconds, left, 1);
    });
    return retryAfterSeconds > 0 ? { retryAfterSeconds } : null;
  }
}
