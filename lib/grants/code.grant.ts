import oauth2orize from 'oauth2orize';
import type { OpenIdRequest } from '../authorize/authorize-request';
import type { Client } from '../clients/client';
import type { SessionUser } from '../browser/session';
import type { Settings } from '../settings';
import type { CodeStore } from '../store/code.store';
import { joinScopes } from '../scopes';
import { randomId, randomSecret } from '../secret-value';
import { issuerResponseModes } from './issuer-response-modes';

/** The authorization request as oauth2orize hands it back, with our extension's fields. */
export interface ParsedAuthorization {
  /** The redirect URI as checked (the registered one when the request named none). */
  checkedRedirectUri: string;
  effectiveScopes: string[];
  /** The resources it names (RFC 8707 §2), checked; empty for none. */
  resources: string[];
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain' | '';
  /** The key the code is bound to (RFC 9449 §10), if the request named one. */
  dpopJkt?: string | undefined;
  /** The request_uri of a pushed request (RFC 9126): answered once. */
  pushedRequestUri?: string | undefined;
  redirectUriGiven: boolean;
  /** An OpenID Connect request's own parameters; absent for a plain OAuth request. */
  openId?: OpenIdRequest | undefined;
  state?: string | undefined;
}

/**
 * Authorization code grant, authorization side (RFC 6749 §4.1.2): a random
 * code, stored hashed, bound to client, redirect URI, user, scopes and PKCE
 * challenge, valid for authorizationCode.ttl seconds.
 */
/**
 * Issues an authorization code for a checked request and its signed-in user: stored by digest, returned once.
 * @param grantId the grant its exchange continues: a new one, or a hybrid response's, whose token came with the code.
 */
export async function issueCode(
  codes: CodeStore,
  settings: Settings,
  client: Client,
  user: SessionUser,
  areq: ParsedAuthorization,
  grantId = randomId(16)
): Promise<string> {
  const code = randomSecret();
  await codes.save(code, {
    grantId,
    appId: client.id,
    redirectUri: areq.checkedRedirectUri,
    redirectUriGiven: areq.redirectUriGiven,
    userId: user.id,
    username: user.username,
    scope: joinScopes(areq.effectiveScopes),
    ...(areq.resources.length ? { resources: areq.resources.join(' ') } : {}),
    challenge: areq.codeChallenge,
    challengeMethod: areq.codeChallengeMethod,
    ...(areq.dpopJkt ? { dpopJkt: areq.dpopJkt } : {}),
    // OpenID Connect: what the ID token of the exchange says of this sign-in (Core §3.1.3.6: nonce, auth_time).
    ...(areq.openId?.nonce === undefined ? {} : { nonce: areq.openId.nonce }),
    ...(areq.openId && user.authTime !== undefined ? { authTime: user.authTime } : {}),
    ...(areq.openId && user.sid !== undefined ? { sid: user.sid } : {}),
    ...(areq.openId?.claims
      ? {
          idTokenClaims: areq.openId.claims.idToken.join(' '),
          userinfoClaims: areq.openId.claims.userinfo.join(' ')
        }
      : {}),
    issuedAt: Date.now(),
    exp: Math.floor(Date.now() / 1000) + settings.authorizationCode.ttl
  });
  return code;
}

export function codeGrant(codes: CodeStore, settings: Settings) {
  return oauth2orize.grant.code(
    { modes: issuerResponseModes(settings.issuer) } as never,
    // oauth2orize hands over the raw redirect_uri query value (undefined when omitted): the checked one is in areq.
    function issueCodeOf(
      client: Client,
      _rawRedirectUri: string | undefined,
      user: SessionUser,
      _ares: unknown,
      oauth2Request: oauth2orize.OAuth2Req,
      done: (err: Error | null, code?: string) => void
    ) {
      issueCode(codes, settings, client, user, oauth2Request as unknown as ParsedAuthorization).then(
        (code) => done(null, code),
        (err: Error) => done(err)
      );
    }
  );
}
