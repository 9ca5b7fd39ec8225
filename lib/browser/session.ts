import RedisStore from 'connect-redis';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { StoreConnection } from '../store/store-connection';
import type { Settings } from '../settings';

/** What the plugin keeps in a browser session. */
export interface SessionUser {
  id: string;
  username: string;
  /** When the user signed in (epoch seconds), for OpenID Connect's auth_time and max_age; absent in older sessions. */
  authTime?: number;
  /** This sign-in's id in ID tokens (`sid`), for back-channel logout; never the session's own id. */
  sid?: string;
}

declare module 'express-session' {
  interface SessionData {
    oauth2User?: SessionUser;
    /** The device authorization whose user code this session entered, awaiting the decision (RFC 8628 §3.3). */
    deviceApproval?: { id: string; userCode: string };
    /** oauth2orize's pending authorization transactions. */
    authorize?: Record<string, unknown>;
    /**
     * This session owes a fresh sign-in: an authorization request asked the user to sign in again (OpenID Connect
     * prompt=login, max_age). Until they do, which starts a new session, no authorization request of it is answered.
     */
    signInOwed?: true;
    /** The name of the app whose access the user just revoked, for the "Connected apps" page to confirm once. */
    revokedApp?: string;
  }
}

/**
 * express-session on the plugin's store (connect-redis), so
 * a sign-in on one gateway instance is honoured by every other; on EG's
 * emulated store the same code keeps sessions in the process.
 */
export function browserSession(db: StoreConnection, settings: Settings): RequestHandler {
  const { secret, name, ttl, secure, sameSite } = settings.session;
  return session({
    store: new RedisStore({ client: db, prefix: `${settings.store.keyPrefix}sess:`, ttl }),
    secret,
    name,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: true,
    cookie: { httpOnly: true, secure, sameSite, maxAge: ttl * 1000, path: settings.basePath || '/' }
  });
}
