import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { SingleFlight } from '../single-flight';
import type { BcryptPool } from './bcrypt-pool';
import { keep } from '../eg/process-state';
import type { RevocationEvent, RevocationFeed } from '../store/revocation-feed';

/** Whose secret: an app's oauth2 client secret or a user's basic-auth password. */
export type SecretOwner = 'app' | 'user';

interface Remembered {
  digest: Buffer;
  until: number;
}

/**
 * Secrets that passed a bcrypt check, remembered for a short while so that
 * the token endpoint does not run bcrypt (tens of milliseconds of CPU) on
 * every request.
 *
 * What is remembered is an HMAC-SHA256, under a random key that lives only in
 * this process's memory, of the secret together with the bcrypt hash it was
 * checked against: nothing weaker than EG's hash is ever stored, and it is
 * useless outside the process. Callers pass the hash as stored *now*, so a
 * changed secret no longer matches; they also check the credential, app and
 * user are active on every request. Comparison is constant-time.
 *
 * Concurrent checks of the same secret share one bcrypt run, so a burst of
 * identical requests costs one check (and one sign-in attempt) instead of
 * one each.
 */
export class VerifiedSecrets {
  private readonly key = randomBytes(32);
  private readonly remembered = new Map<string, Remembered>();
  private readonly checks = new SingleFlight<boolean>();

  /** @param ttlSeconds 0 turns remembering off (bcrypt every time). */
  constructor(
    private readonly ttlSeconds: number,
    private readonly maxEntries: number,
    private readonly pool: BcryptPool
  ) {}

  /**
   * The process's instance, following the feed: a change to an app, user or
   * credential announced by any gateway instance drops what is remembered of
   * it. (Callers compare with the hash stored now and check the consumer is
   * active anyway; this keeps nothing around that can no longer match.) EG's
   * hot reload gets the same instance back unless the settings changed.
   */
  static shared(
    settings: { ttl: number; maxEntries: number },
    feed: RevocationFeed,
    pool: BcryptPool
  ): VerifiedSecrets {
    const follow = (secrets: VerifiedSecrets) => (event: RevocationEvent | 'all') => {
      if (event === 'all') return secrets.forgetAll();
      secrets.forget('app', event.apps ?? []);
      secrets.forget('user', event.users ?? []);
    };
    let listener: ReturnType<typeof follow>;
    return keep(
      'verified secrets',
      `${settings.ttl}:${settings.maxEntries}:pool ${pool.serial}:feed ${feed.serial}`,
      () => {
        const secrets = new VerifiedSecrets(settings.ttl, settings.maxEntries, pool);
        listener = follow(secrets);
        feed.onChange(listener);
        return secrets;
      },
      (secrets) => {
        feed.offChange(listener);
        secrets.forgetAll();
      }
    );
  }

  private digest(owner: SecretOwner, id: string, secret: string, storedHash: string): Buffer {
    return createHmac('sha256', this.key).update(`${owner}\0${id}\0${storedHash}\0`).update(secret).digest();
  }

  /** True when this exact secret was verified against this stored hash less than ttl seconds ago. No bcrypt. */
  recalls(owner: SecretOwner, id: string, secret: string, storedHash: string): boolean {
    const entry = this.remembered.get(`${owner}:${id}`);
    if (!entry) return false;
    if (entry.until <= Date.now()) {
      this.remembered.delete(`${owner}:${id}`);
      return false;
    }
    return timingSafeEqual(entry.digest, this.digest(owner, id, secret, storedHash));
  }

  /** A bcrypt check on the worker pool (shared with identical concurrent ones); a match is remembered. */
  verify(owner: SecretOwner, id: string, secret: string, storedHash: string): Promise<boolean> {
    if (this.recalls(owner, id, secret, storedHash)) return Promise.resolve(true);
    const digest = this.digest(owner, id, secret, storedHash);
    return this.checks.run(digest.toString('base64'), async () => {
      const matches = await this.pool.compare(secret, storedHash);
      if (matches) this.remember(`${owner}:${id}`, digest);
      return matches;
    });
  }

  /** Drops what is remembered of these owners (their credential, app or user changed). */
  forget(owner: SecretOwner, ids: string[]): void {
    for (const id of ids) this.remembered.delete(`${owner}:${id}`);
  }

  forgetAll(): void {
    this.remembered.clear();
  }

  private remember(slot: string, digest: Buffer): void {
    if (this.ttlSeconds === 0) return;
    this.remembered.delete(slot); // re-inserted last: the oldest entries are evicted first
    this.remembered.set(slot, { digest, until: Date.now() + this.ttlSeconds * 1000 });
    if (this.remembered.size > this.maxEntries) this.remembered.delete(this.remembered.keys().next().value as string);
  }
}
