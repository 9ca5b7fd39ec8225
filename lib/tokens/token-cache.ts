import type { RevocationEvent, RevocationFeed } from '../store/revocation-feed';
import type { ValidatedToken } from './validated-token';

interface Entry { token: ValidatedToken; until: number }

function revokes(event: RevocationEvent, token: ValidatedToken, tokenDigest: string): boolean {
  return Boolean(
    event.tokens?.includes(tokenDigest) ||
    (token.id && event.jtis?.includes(token.id)) ||
    (token.grantId && event.grants?.includes(token.grantId)) ||
    (token.clientId && event.apps?.includes(token.clientId)) ||
    (token.userId && event.users?.includes(token.userId))
  );
}

/**
 * Validated tokens kept in memory by token digest, each until its own
 * deadline, at most `maxEntries` (the oldest go first). Every revocation
 * announced on the feed drops the entries it concerns at once, on every
 * instance; while the feed is disconnected nothing is cached or served.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number, private readonly feed: RevocationFeed) {
    feed.onRevoked((event) => {
      if (event === 'all') return this.entries.clear();
      for (const [key, entry] of this.entries) {
        if (revokes(event, entry.token, key)) this.entries.delete(key);
      }
    });
  }

  get(tokenDigest: string): ValidatedToken | null {
    const entry = this.entries.get(tokenDigest);
    if (!entry) return null;
    if (entry.until <= Date.now() || !this.feed.connected) {
      this.entries.delete(tokenDigest);
      return null;
    }
    return entry.token;
  }

  /** @param until epoch milliseconds. */
  put(tokenDigest: string, token: ValidatedToken, until: number): void {
    if (until <= Date.now() || !this.feed.connected) return;
    this.entries.delete(tokenDigest);
    this.entries.set(tokenDigest, { token, until });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
