import type { EgServices, EgUser } from '../eg/types';
import type { Settings } from '../settings';
import type { Throttle } from '../store/throttle';
import { authenticateUser } from './user.authenticator';

export type SignInResult = { user: EgUser } | { user: null; locked: boolean };

/**
 * A resource owner's password check, counted per user name and per client IP
 * (RFC 6749 §4.3.2 and §10.10 ask for brute-force protection). Used by the
 * login page and by the password grant alike, so neither is a side door.
 */
export function throttledSignIn(services: EgServices, throttle: Throttle, limits: Settings['login']) {
  return async function signIn(username: string, password: string, ip: string): Promise<SignInResult> {
    const name = username.slice(0, 200).toLowerCase();
    const subjects = [
      { kind: 'user', subject: name, limit: limits.maxFailuresPerUser },
      { kind: 'ip', subject: ip, limit: limits.maxFailuresPerIp }
    ];
    if (await throttle.overLimit(subjects)) return { user: null, locked: true };
    const user = await authenticateUser(services, username, password);
    if (!user) return { user: null, locked: false };
    await Promise.all([throttle.clear('user', name), throttle.forgive('ip', ip)]);
    return { user };
  };
}

export type SignIn = ReturnType<typeof throttledSignIn>;
