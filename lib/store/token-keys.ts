import { digest } from '../secret-value';

/**
 * Names of the plugin's token keys in Redis. Tokens are only ever named by
 * their SHA-256 digest, so a dump of Redis yields no usable token.
 */
export class TokenKeys {
  constructor(private readonly prefix: string) {}

  /** An opaque access token's record. */
  access(token: string): string {
    return this.accessByDigest(digest(token));
  }
  accessByDigest(tokenDigest: string): string {
    return `${this.prefix}at:${tokenDigest}`;
  }
  /** The token digest a token key is named by. */
  digestOf(key: string): string {
    return key.slice(key.lastIndexOf(':') + 1);
  }
  /** A refresh token's record. */
  refresh(token: string): string {
    return `${this.prefix}rt:${digest(token)}`;
  }
  /** The set of token keys of one grant. */
  grant(grantId: string): string {
    return `${this.prefix}grant:${grantId}`;
  }
  /** Present while a revoked grant's JWTs may still be live, or a concurrent request may still save into it. */
  grantRevoked(grantId: string): string {
    return `${this.prefix}grant-revoked:${grantId}`;
  }
  /** The deny-list entry of one revoked JWT access token, until it expires. */
  jtiRevoked(jti: string): string {
    return `${this.prefix}jti-revoked:${jti}`;
  }
  /**
   * One grant of an app or a user, for revoking them all at once: a key per
   * grant that expires with the grant, so that an index never outgrows the
   * live grants (a set per app would grow for as long as the app is busy).
   */
  ownedGrant(owner: 'app' | 'user', id: string, grantId: string): string {
    return `${this.ownedGrantPrefix(owner, id)}${grantId}`;
  }
  /** What every ownedGrant key of one app or user starts with. */
  ownedGrantPrefix(owner: 'app' | 'user', id: string): string {
    return `${this.prefix}${owner}-grant:${id}:`;
  }
  /**
   * A SCAN pattern matching (at least) every ownedGrant key of one app or
   * user; callers keep the keys with ownedGrantPrefix. An id that is not
   * plain (EG's ids are UUIDs) is left out of the pattern: glob escaping
   * differs between Redis and EG's emulated store.
   */
  ownedGrantPattern(owner: 'app' | 'user', id: string): string {
    return /^[A-Za-z0-9_-]+$/.test(id) ? `${this.ownedGrantPrefix(owner, id)}*` : `${this.prefix}${owner}-grant:*`;
  }
}
