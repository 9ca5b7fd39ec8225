import type { NextFunction, Request, Response } from 'express';
import { AuthorizeRequest, getAuthorizeRequest } from '../authorize/authorize-request';
import type { SessionUser } from '../browser/session';
import { requestedUrl, sendToSignIn } from '../browser/sign-in-first';
import { ConsentRequired, InvalidRequest, LoginRequired } from '../errors';
import { transactionOf } from '../http/request-fields';
import type { IdTokens } from './id-tokens';

const now = () => Math.floor(Date.now() / 1000);

/** Whether the user signed in longer ago than max_age allows (a session from before auth_time was kept: too long). */
function signedInTooLongAgo(user: SessionUser, maxAge: number | undefined): boolean {
  if (maxAge === undefined) return false;
  return user.authTime === undefined || now() - user.authTime > maxAge;
}

/**
 * The request to come back to once signed in again: without the prompt values and max_age that asked for it, which
 * the new sign-in answers (else max_age=0 would ask forever). The session remembers that a sign-in is owed, so that
 * this URL opened without signing in is not answered either.
 */
function answeredRequest(url: string): string {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const params = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  params.delete('max_age');
  const prompt = (params.get('prompt') ?? '')
    .split(' ')
    .filter((value) => value && value !== 'login' && value !== 'select_account');
  if (prompt.length > 0) params.set('prompt', prompt.join(' '));
  else params.delete('prompt');
  return `${path}?${params}`;
}

/** Why the signed-in user must sign in (again) before this request is answered; null when they need not. */
async function signInNeeded(
  user: SessionUser,
  owed: boolean,
  request: Pick<AuthorizeRequest, 'client' | 'openId'> | undefined,
  idTokens: IdTokens | null
): Promise<string | null> {
  if (owed) return 'The user has not signed in again as asked';
  const openId = request?.openId;
  if (!request || !openId || !idTokens) return null;
  if (openId.prompt.includes('login') || openId.prompt.includes('select_account')) return 'prompt asks for a sign-in';
  if (signedInTooLongAgo(user, openId.maxAge)) return 'The user signed in longer ago than max_age allows';
  // The user as this client knows them: the sub its ID tokens carry, public or pairwise (Core §8).
  const sub = idTokens.subjects.of(user.id, request.client.app);
  if (openId.idTokenHint !== undefined) {
    const hinted = await idTokens.readHint(openId.idTokenHint);
    if (!hinted) throw new InvalidRequest('The id_token_hint is not an ID token of this server');
    if (hinted.sub !== sub) return 'The user signed in is not the one of the id_token_hint';
  }
  // Core §5.5.1: an ID token whose sub is asked for with a value is only given for that user.
  const named = openId.claims?.sub;
  if (named !== undefined && named !== sub) return 'The user signed in is not the one the claims parameter names';
  return null;
}

/**
 * OpenID Connect's say over signing in (Core §3.1.2.1, §3.1.2.3), before the plain "sign in first" step:
 * - prompt=none: a user not signed in, or who would have to sign in again, is login_required (Core §3.1.2.6);
 * - prompt=login or select_account, a sign-in older than max_age, or an id_token_hint naming another user: the login
 *   form again, even to a signed-in user (who can pick another account there), then the request without them. Until
 *   the user has signed in again, the session answers no authorization request.
 */
export function openIdSignIn(loginPath: string, idTokens: IdTokens | null) {
  async function decide(req: Request, res: Response, next: NextFunction): Promise<void> {
    const request = getAuthorizeRequest(req);
    const openId = request?.openId;
    const user = req.user as SessionUser | undefined;
    const back = () => answeredRequest(requestedUrl(req, res));
    if (!user) {
      if (openId?.prompt.includes('none')) return next(new LoginRequired('The user is not signed in'));
      // Signing in answers prompt=login and max_age: the request comes back without them.
      const asks = openId && (openId.prompt.includes('login') || openId.maxAge !== undefined);
      return asks ? sendToSignIn(res, next, { loginPath, status: 302, back: back() }) : next();
    }
    const why = await signInNeeded(user, req.session.signInOwed === true, request, idTokens);
    if (!why) return next();
    if (openId?.prompt.includes('none')) return next(new LoginRequired(why));
    req.session.signInOwed = true; // signing in starts a new session (session fixation), without it
    sendToSignIn(res, next, { loginPath, status: 302, back: back(), again: true });
  }
  return function openIdSignIn(req: Request, res: Response, next: NextFunction): void {
    decide(req, res, next).catch(next);
  };
}

/**
 * prompt=none and the consent page would be next: consent_required to the client instead (Core §3.1.2.6), and the
 * transaction oauth2orize kept in the session for that page dropped.
 */
export function noConsentPageForPromptNone(req: Request, _res: Response, next: NextFunction): void {
  if (getAuthorizeRequest(req)?.openId?.prompt.includes('none')) {
    const id = transactionOf(req)?.transactionID;
    if (id !== undefined && req.session.authorize) delete req.session.authorize[id];
    return next(new ConsentRequired('The user has not consented to this client and scope'));
  }
  next();
}
