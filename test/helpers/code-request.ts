import * as oauth from 'oauth4webapi';
import { REDIRECT_URI } from './flow';

/**
 * The parameters of a code flow authorization request with a fresh PKCE verifier (S256) and state, made by
 * oauth4webapi, with `extra` over them; and the verifier and state the client keeps.
 */
export async function codeRequest(extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const params: Record<string, string> = {
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra
  };
  return { params, verifier, state };
}
