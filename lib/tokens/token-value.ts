import { decodeJwt } from 'jose';
import { randomSecret } from '../secret-value';

const ACCESS_PREFIX = 'at';
const REFRESH_PREFIX = 'rt';
const SEPARATOR = '~';
const MAX_ID_LENGTH = 200;
/** A sealed user id (SealedUsers: a compact JWE of an id of at most MAX_ID_LENGTH) is longer. */
const MAX_SEALED_LENGTH = 600;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** Grant ids are random base64url (16 bytes); nothing else may name a Redis hash tag. */
const GRANT_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The parts of an opaque access token that name the keys its check reads. */
export interface AccessTokenIds {
  appId: string;
  /** Empty when the token's user is sealed, or it has none. */
  userId: string;
  /** The user id sealed for a pairwise client (SealedUsers), which it cannot read: compact JWE segments, with dots. */
  sealedUser?: string | undefined;
  /** null for a token minted before tokens carried their grant (still read, under its old key). */
  grantId: string | null;
}

/**
 * An opaque access token is `at~<app id>~<user id>~<grant id>~<secret>`
 * (app and user ids base64url). Carrying the ids lets the resource server
 * read the token and the status of its app, credential and user in a single
 * round trip, and lets the token's key share its grant's Redis Cluster slot,
 * so that a grant and its tokens are written in one MULTI. The ids are not
 * secret; the token is only valid if its full digest is stored, so altering
 * an id yields an unknown token. `at~<app>~<user>~<secret>` is the shape
 * before grant ids were carried, still accepted. A pairwise client's tokens
 * carry the user id sealed instead (OpenID Connect Core §8.1).
 */
export function newAccessToken(ids: AccessTokenIds & { grantId: string }): string {
  const encode = (id: string) => Buffer.from(id).toString('base64url');
  const user = ids.sealedUser ?? encode(ids.userId);
  return [ACCESS_PREFIX, encode(ids.appId), user, ids.grantId, randomSecret()].join(SEPARATOR);
}

/** Splits an opaque access token, or answers null for anything not shaped like one. */
export function parseAccessToken(token: string): AccessTokenIds | null {
  const parts = token.split(SEPARATOR);
  if (parts.length !== 4 && parts.length !== 5) return null;
  const [prefix, app, user] = parts;
  const grantId = parts.length === 5 ? parts[3]! : null;
  if (prefix !== ACCESS_PREFIX || app === undefined || user === undefined || !SECRET.test(parts.at(-1)!)) return null;
  // base64url has no dot; a compact JWE has four.
  const sealed = user.includes('.');
  if (app.length > MAX_ID_LENGTH || user.length > (sealed ? MAX_SEALED_LENGTH : MAX_ID_LENGTH)) return null;
  if (grantId !== null && !GRANT_ID.test(grantId)) return null;
  const appId = Buffer.from(app, 'base64url').toString();
  if (!appId) return null;
  if (sealed) return { appId, userId: '', sealedUser: user, grantId };
  return { appId, userId: Buffer.from(user, 'base64url').toString(), grantId };
}

/** A refresh token: `rt~<grant id>~<secret>`, so that its key shares its grant's slot too. */
export function newRefreshToken(grantId: string): string {
  return [REFRESH_PREFIX, grantId, randomSecret()].join(SEPARATOR);
}

/**
 * The grant a refresh token names; null for the bare 43-character secret refresh tokens were before they carried
 * their grant; undefined for anything not shaped like a refresh token.
 */
export function refreshTokenGrant(token: string): string | null | undefined {
  if (SECRET.test(token)) return null;
  const [prefix, grantId, secret, ...rest] = token.split(SEPARATOR);
  if (rest.length > 0 || prefix !== REFRESH_PREFIX || !GRANT_ID.test(grantId ?? '') || !SECRET.test(secret ?? ''))
    return undefined;
  return grantId;
}

/** Whether a grant id may be carried in a token and name a hash tag. */
export const isGrantId = (id: string): boolean => GRANT_ID.test(id);

/**
 * The grant a token of ours names (an opaque access token, a refresh token, or a JWT's `gid`), read from the token
 * alone and unverified: for tagging what is cached about it, so that a revoked grant drops it everywhere.
 */
export function grantNamedBy(token: string): string | null {
  const named = parseAccessToken(token)?.grantId ?? refreshTokenGrant(token);
  if (named) return named;
  try {
    const { gid } = decodeJwt(token);
    return typeof gid === 'string' && isGrantId(gid) ? gid : null;
  } catch {
    return null;
  }
}
