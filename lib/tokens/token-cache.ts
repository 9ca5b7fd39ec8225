import { keep } from '../eg/process-state';
import type { RevocationEvent, RevocationFeed } from '../store/revocation-feed';
import { digest } from '../secret-value';
import { grantNamedBy } from './token-value';
import type { ValidatedToken } from './validated-token';

/**
 * Tokens up to this length are their own key; a longer one (an outside issuer's JWT may have up to 8192
 * characters) is kept by its digest, so that no entry's key outweighs its answer. `#` never occurs in a
 * bearer token (RFC 6750 §2.1), so the two kinds of key cannot meet.
 */
const LONGEST_RAW_KEY = 1024;

const keyOf = (token: string) => (token.length <= LONGEST_RAW_KEY ? token : `#${digest(token)}`);

interface Entry {
  validated: ValidatedToken;
  until: number;
  tags: string[];
}

/** What a revocation event can name an entry by (a token by its digest, as the store keeps it). */
function tagsOf(token: string, validated: ValidatedToken): string[] {
  const tags = [`token:${digest(token)}`];
  if (validated.id) tags.push(`jti:${validated.id}`);
  // An introspected token's answer names no grant, but a token of ours names its own.
  const grantId = validated.grantId || grantNamedBy(token);
  if (grantId) tags.push(`grant:${grantId}`);
  if (validated.clientId) tags.push(`app:${validated.clientId}`);
  if (validated.userId) tags.push(`user:${validated.userId}`);
  if (validated.consumer.userId) tags.push(`owner:${validated.consumer.userId}`);
  return tags;
}

function tagsIn(event: RevocationEvent): string[] {
  const named = (kind: string, ids: string[] = []) => ids.map((id) => `${kind}:${id}`);
  return [
    ...named('token', event.tokens),
    ...named('jti', event.jtis),
    ...named('grant', event.grants),
    ...named('app', event.apps),
    ...named('user', event.users),
    ...named('owner', event.owners)
  ];
}

/**
 * Validated tokens kept in memory by the token itself (no hash on the hot
 * path: a cache hit is one Map lookup; the process holds these tokens for at
 * most their cache time, as it holds every token in flight), each until its own
 * deadline, at most `maxEntries` (the oldest go first). Every revocation
 * announced on the feed drops the entries it names at once, on every
 * instance, through an index (no scan); while the feed is disconnected
 * nothing is cached or served.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byTag = new Map<string, Set<string>>();
  /** Counts revocations: an answer fetched while one happened may predate it, and is not cached. */
  private generation = 0;

  /**
   * One cache per name and process (lib/eg/process-state.ts), so that EG's
   * hot reload reuses it instead of leaking another; but only while `config`
   * (everything its answers depend on) and its size are the same. A cache filled under another
   * configuration is dropped, never consulted: its answers were judged by
   * rules that no longer hold (issue 15, item 3).
   */
  static shared(name: string, config: string, maxEntries: number, feed: RevocationFeed): TokenCache {
    return keep(
      `token cache ${name}`,
      `${config}\0${maxEntries}\0feed ${feed.serial}`,
      () => new TokenCache(maxEntries, feed),
      (cache) => cache.dispose()
    );
  }

  private readonly follow = (event: RevocationEvent | 'all') => {
    if (event !== 'all' && tagsIn(event).length === 0) return; // news for another cache (a guessing lock)
    this.generation += 1;
    if (event === 'all') {
      this.entries.clear();
      this.byTag.clear();
      return;
    }
    for (const tag of tagsIn(event)) {
      for (const key of [...(this.byTag.get(tag) ?? [])]) this.delete(key);
    }
  };

  constructor(
    private readonly maxEntries: number,
    private readonly feed: RevocationFeed
  ) {
    feed.onChange(this.follow);
  }

  /** Empties the cache and stops following the feed; it answers nothing from now on. */
  dispose(): void {
    this.feed.offChange(this.follow);
    this.entries.clear();
    this.byTag.clear();
    this.disposed = true;
  }

  private disposed = false;

  /** Read before asking for an answer; hand to `put` with the answer. */
  get currentGeneration(): number {
    return this.generation;
  }

  get(token: string): ValidatedToken | null {
    if (this.disposed) return null;
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= Date.now() || !this.feed.connected) {
      this.delete(key);
      return null;
    }
    return entry.validated;
  }

  /**
   * @param until epoch milliseconds.
   * @param fetchedAt the generation read before the answer was asked for: if a revocation came since, the answer is not
   * kept.
   */
  put(token: string, validated: ValidatedToken, until: number, fetchedAt: number): void {
    if (this.disposed || until <= Date.now() || !this.feed.connected || fetchedAt !== this.generation) return;
    const key = keyOf(token);
    this.delete(key);
    const tags = tagsOf(token, validated);
    this.entries.set(key, { validated, until, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    if (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value as string);
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
