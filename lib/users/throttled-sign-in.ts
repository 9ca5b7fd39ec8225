import type { GuessingGuard } from '../credentials/guessing-guard';
import { quotedForLog } from '../eg/one-line-logger';
import type { EgServices, EgUser } from '../eg/types';
import type { Settings } from '../settings';
import { findSignInAccount } from './user.authenticator';

export type SignInResult =
  { user: EgUser } | { user: null; locked: false } | { user: null; locked: true; retryAfter: number };

/**
 * A resource owner's password check, counted per user name and per client IP
 * (RFC 6749 §4.3.2 and §10.10 ask for brute-force protection). Used by the
 * login page and by the password grant alike, so neither is a side door.
 * The guard counts every attempt before its bcrypt, and refuses every
 * attempt of a locked name or address, even with the right password.
 */
export function throttledSignIn(services: EgServices, guard: GuessingGuard, limits: Settings['login']) {
  return async function signIn(username: string, password: string, ip: string): Promise<SignInResult> {
    if (typeof password !== 'string' || !password) return { user: null, locked: false };
    const account = await findSignInAccount(services, username);
    const name = String(username).slice(0, 200).toLowerCase();
    const outcome = await guard.check({
      owner: 'user',
      account: account && { id: account.user.id, hash: account.passwordHash },
      secret: password,
      decoy: true,
      counters: [
        {
          kind: 'user',
          subject: name,
          limit: limits.maxFailuresPerUser,
          onRight: 'clear',
          named: `sign-in of user name ${quotedForLog(name)}`
        },
        {
          kind: 'ip',
          subject: ip,
          limit: limits.maxFailuresPerIp,
          onRight: 'forgive',
          named: `sign-in from IP ${quotedForLog(ip)}`
        }
      ]
    });
    if (outcome.result === 'locked') return { user: null, locked: true, retryAfter: outcome.retryAfter };
    return outcome.result === 'right' && account ? { user: account.user } : { user: null, locked: false };
  };
}

export type SignIn = ReturnType<typeof throttledSignIn>;
