import { createHash } from 'crypto';
import type { VerifiedSecrets } from '../credentials/verified-secrets';
import type { EgServices, EgUser } from '../eg/types';
import type { Settings } from '../settings';
import { SingleFlight } from '../single-flight';
import type { Throttle } from '../store/throttle';
import { findSignInAccount, passwordMatches } from './user.authenticator';

export type SignInResult = { user: EgUser } | { user: null; locked: boolean };

/**
 * A resource owner's password check, counted per user name and per client IP
 * (RFC 6749 §4.3.2 and §10.10 ask for brute-force protection). Used by the
 * login page and by the password grant alike, so neither is a side door.
 *
 * Every bcrypt check is an attempt, counted before the check so that
 * concurrent guesses cannot slip past the limit. Two things keep honest
 * traffic from being refused: identical concurrent checks (same name,
 * password and IP) share one attempt and one bcrypt run, and a password
 * recently proven right (see VerifiedSecrets) is accepted without an attempt
 * at all: it cannot be a guess.
 */
export function throttledSignIn(services: EgServices, throttle: Throttle, limits: Settings['login'], secrets: VerifiedSecrets) {
  const attempts = new SingleFlight<SignInResult>();

  return async function signIn(username: string, password: string, ip: string): Promise<SignInResult> {
    const account = await findSignInAccount(services, username);
    if (account && typeof password === 'string' && secrets.recalls('user', account.user.id, password, account.passwordHash)) {
      return { user: account.user };
    }
    const name = String(username).slice(0, 200).toLowerCase();
    const same = createHash('sha256').update(`${name}\0${ip}\0`).update(String(password)).digest('base64');
    return attempts.run(same, async () => {
      const subjects = [
        { kind: 'user', subject: name, limit: limits.maxFailuresPerUser },
        { kind: 'ip', subject: ip, limit: limits.maxFailuresPerIp }
      ];
      if (await throttle.overLimit(subjects)) return { user: null, locked: true };
      if (!await passwordMatches(secrets, account, password) || !account) return { user: null, locked: false };
      await Promise.all([throttle.clear('user', name), throttle.forgive('ip', ip)]);
      return { user: account.user };
    });
  };
}

export type SignIn = ReturnType<typeof throttledSignIn>;
