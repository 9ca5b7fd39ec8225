import { digest } from '../secret-value';
import { parseAccessToken, refreshTokenGrant } from '../tokens/token-value';

/**
 * Names of the plugin's token keys in Redis. Tokens are only ever named by
 * their SHA-256 digest, so a dump of Redis yields no usable token.
 *
 * On a Redis Cluster every key of one grant carries the grant id as its
 * hash tag (`{<grant>}`): the grant's token set, its revocation marker, its
 * tokens and its JWTs' deny-list entries live in one slot, so issuing tokens,
 * checking one and revoking the grant are each one MULTI or pipeline (Redis
 * Cluster spec, "Hash tags": a MULTI may only name keys of one slot). Grant
 * ids are base64url, so a tag never holds a brace; the prefix may not either
 * (schemas/settings). On one Redis the keys keep the names they always had,
 * so that what an earlier version stored is found as it was.
 */
export class TokenKeys {
  private readonly tag: (grantId: string) => string;

  constructor(
    private readonly prefix: string,
    clustered: boolean
  ) {
    this.tag = clustered ? (grantId) => `{${grantId}}` : (grantId) => grantId;
  }

  /** An opaque access token's record; null for a string that is no access token of ours. */
  access(token: string): string | null {
    const ids = parseAccessToken(token);
    return ids && this.accessByDigest(ids.grantId, digest(token));
  }
  /** @param grantId null for a token of the shape before tokens carried their grant. */
  accessByDigest(grantId: string | null, tokenDigest: string): string {
    return grantId === null
      ? `${this.prefix}at:${tokenDigest}`
      : `${this.prefix}at:${this.tag(grantId)}:${tokenDigest}`;
  }
  /** The token digest a token key is named by. */
  digestOf(key: string): string {
    return key.slice(key.lastIndexOf(':') + 1);
  }
  /** A refresh token's record; null for a string that is no refresh token of ours. */
  refresh(token: string): string | null {
    const grantId = refreshTokenGrant(token);
    if (grantId === undefined) return null;
    return grantId === null
      ? `${this.prefix}rt:${digest(token)}`
      : `${this.prefix}rt:${this.tag(grantId)}:${digest(token)}`;
  }
  /** Whether a key (of a grant's set) is a refresh token's. */
  isRefresh(key: string): boolean {
    return key.startsWith(`${this.prefix}rt:`);
  }
  /**
   * The set of one grant's refresh token keys (and, written by earlier versions, of its access token keys and
   * `jti:` members).
   */
  grant(grantId: string): string {
    return `${this.prefix}grant:${this.tag(grantId)}`;
  }
  /**
   * What a grant is, for the people who gave it and the operator (app, user, scope, when granted and last used): a
   * hash written with each issuance of its tokens, living as long as the grant, deleted with it.
   */
  grantFacts(grantId: string): string {
    return `${this.prefix}grant-facts:${this.tag(grantId)}`;
  }
  /**
   * Present while a revoked grant's access tokens may still be live, or a concurrent request may still save into it:
   * every check of one of its tokens reads it.
   */
  grantRevoked(grantId: string): string {
    return `${this.prefix}grant-revoked:${this.tag(grantId)}`;
  }
  /** The deny-list entry of one revoked JWT access token, until it expires; in its grant's slot. */
  jtiRevoked(grantId: string, jti: string): string {
    return this.tag(grantId) === grantId
      ? `${this.prefix}jti-revoked:${jti}`
      : `${this.prefix}jti-revoked:${this.tag(grantId)}:${jti}`;
  }
  /**
   * The grants of an app or a user, for revoking them all at once without a
   * keyspace SCAN: a sorted set of grant ids scored by when each grant ends,
   * from which ended grants are dropped on every write, so that it never
   * outgrows the live grants.
   */
  ownedGrants(owner: 'app' | 'user', id: string): string {
    return `${this.prefix}${owner}-grants:${id}`;
  }
  /** When the sorted-set index first served on this Redis (epoch ms). */
  ownedGrantsSince(): string {
    return `${this.prefix}owned-grants-since`;
  }
  /** What every index key of one app or user started with before the sorted sets (one key per grant). */
  legacyOwnedGrantPrefix(owner: 'app' | 'user', id: string): string {
    return `${this.prefix}${owner}-grant:${id}:`;
  }
  /**
   * A SCAN pattern matching (at least) every legacy index key of one app or
   * user; callers keep the keys with legacyOwnedGrantPrefix. An id that is
   * not plain (EG's ids are UUIDs) is left out of the pattern: glob escaping
   * differs between Redis and EG's emulated store.
   */
  legacyOwnedGrantPattern(owner: 'app' | 'user', id: string): string {
    return /^[A-Za-z0-9_-]+$/.test(id)
      ? `${this.legacyOwnedGrantPrefix(owner, id)}*`
      : `${this.prefix}${owner}-grant:*`;
  }
}
