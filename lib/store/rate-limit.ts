import type { StoreConnection } from './store-connection';

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
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly windowSeconds: number
  ) {}

  private key(kind: string, subject: string): string {
    return `${this.prefix}rate:${kind}:${subject}`;
  }

  /** Counts one request for every subject; a refusal when any of them is now over its limit, else null. */
  async count(subjects: RateSubject[]): Promise<RateRefusal | null> {
    // A MULTI per counter, sent at once: counters of different subjects may live on different cluster nodes.
    const answers = await Promise.all(
      subjects.map(async ({ kind, subject }) => {
        const key = this.key(kind, subject);
        const [, [, count], [, left]] = (await this.db
          .multi()
          .set(key, '0', 'EX', this.windowSeconds, 'NX')
          .incr(key)
          .pttl(key)
          .exec()) as [unknown, [Error | null, number], [Error | null, number]];
        return { count: Number(count), left: Number(left) };
      })
    );
    let retryAfterSeconds = 0;
    subjects.forEach(({ limit }, i) => {
      const { count, left } = answers[i]!;
      if (count <= limit) return;
      retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil(left / 1000), 1);
    });
    return retryAfterSeconds > 0 ? { retryAfterSeconds } : null;
  }
}
