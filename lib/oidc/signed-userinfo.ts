/**
 * The app property by which a client asks for signed UserInfo answers (Core §5.3.2; registration's
 * userinfo_signed_response_alg).
 */
export const USERINFO_SIGNED_RESPONSE_ALG = 'userinfoSignedResponseAlg';

/** The one algorithm UserInfo answers are signed with: ID tokens' (Core §15.1). */
export const USERINFO_SIGNING_ALG = 'RS256';

/** Whether a client (its EG app) asked for its UserInfo answers signed. */
export function signsUserInfo(app: Record<string, unknown>): boolean {
  return app[USERINFO_SIGNED_RESPONSE_ALG] === USERINFO_SIGNING_ALG;
}
