import { randomSecret } from '../secret-value';

const ACCESS_PREFIX = 'at';
const SEPARATOR = '~';
const MAX_ID_LENGTH = 200;

/** The parts of an opaque access token that name the keys its check reads. */
export interface AccessTokenIds {
  appId: string;
  userId: string;
}

/**
 * An opaque access token is `at~<app id>~<user id>~<secret>` (ids base64url).
 * Carrying the ids lets the resource server read the token and the status of
 * its app, credential and user in a single pipelined Redis round trip. The ids
 * are not secret; the token is only valid if its full digest is stored, so
 * altering an id yields an unknown token.
 */
export function newAccessToken(ids: AccessTokenIds): string {
  const encode = (id: string) => Buffer.from(id).toString('base64url');
  return [ACCESS_PREFIX, encode(ids.appId), encode(ids.userId), randomSecret()].join(SEPARATOR);
}

/** Splits an opaque access token, or answers null for anything not shaped like one. */
export function parseAccessToken(token: string): AccessTokenIds | null {
  const [prefix, app, user, secret, ...rest] = token.split(SEPARATOR);
  if (rest.length > 0 || prefix !== ACCESS_PREFIX || app === undefined || user === undefined || secret?.length !== 43)
    return null;
  if (app.length > MAX_ID_LENGTH || user.length > MAX_ID_LENGTH) return null;
  const appId = Buffer.from(app, 'base64url').toString();
  const userId = Buffer.from(user, 'base64url').toString();
  return appId ? { appId, userId } : null;
}
