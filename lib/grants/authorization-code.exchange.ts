import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import type { AccessRevocations } from '../connected-apps/access-revocations';
import type { EgLogger, EgServices } from '../eg/types';
import { InvalidDpopProofError, InvalidGrant } from '../errors';
import { verifierMatches } from '../pkce';
import { splitScopes } from '../scopes';
import { isOpenIdRequest, OFFLINE_ACCESS, stillGranted } from '../oidc/oidc-scopes';
import type { Settings } from '../settings';
import type { SessionClients } from '../oidc/session-clients';
import type { CodeRecord, CodeStore } from '../store/code.store';
import type { TokenStore } from '../store/token.store';
import type { TokenIssuer } from '../tokens/token.issuer';
import { IssuedCallback, settle } from './settle';
import { senderConstraint, type TokenRequestInfo } from './password.exchange';

interface Deps {
  settings: Settings;
  /** With OpenID Connect on: the clients each sign-in gave ID tokens to. */
  sessions: SessionClients | null;
  issuer: TokenIssuer;
  codes: CodeStore;
  store: TokenStore;
  services: EgServices;
  logger: EgLogger;
  withRefreshToken: boolean;
  accessRevocations: AccessRevocations;
}

const UNKNOWN = 'The authorization code is invalid, expired or already used';

/**
 * Whether the request proves to come from the client the code was issued to,
 * by its client authentication, the redirect URI and the PKCE verifier
 * (RFC 6749 §4.1.3, RFC 7636 §4.6). A code_verifier is required exactly when
 * the authorization request carried a challenge (RFC 9700 §2.1.1: a verifier
 * without a challenge is refused too, against PKCE downgrade).
 * @throws InvalidGrant when it does not.
 */
function checkBinding(
  record: CodeRecord,
  client: Client,
  redirectUri: string | undefined,
  verifier: unknown,
  dpopJkt: string | undefined
): void {
  if (record.appId !== client.id) throw new InvalidGrant(UNKNOWN);
  // RFC 9449 §10: a code whose request named dpop_jkt is exchanged only with a proof of that key.
  if (record.dpopJkt && record.dpopJkt !== dpopJkt)
    throw new InvalidDpopProofError('This code is bound to a DPoP key (dpop_jkt): send a DPoP proof of that key');
  if ((record.redirectUriGiven || redirectUri !== undefined) && redirectUri !== record.redirectUri) {
    throw new InvalidGrant('The redirect_uri does not match the one of the authorization request');
  }
  if (record.challenge) {
    if (typeof verifier !== 'string') throw new InvalidGrant('The code_verifier is missing (PKCE)');
    if (!verifierMatches(verifier, record.challenge, record.challengeMethod || 'plain')) {
      throw new InvalidGrant('The code_verifier does not match the code_challenge (PKCE)');
    }
  } else if (verifier !== undefined) {
    throw new InvalidGrant('A code_verifier was sent but the authorization request had no code_challenge');
  }
}

/**
 * Authorization code grant, token side (RFC 6749 §4.1.3, RFC 7636 §4.6).
 * The code is used up only by a request that proves to be its client's, so
 * that nobody else can burn it or, by a false replay, revoke its grant. A
 * code works once; its client using it a second time revokes every token
 * issued from it (RFC 6749 §4.1.2).
 */
export function authorizationCodeExchange({
  settings,
  sessions,
  issuer,
  codes,
  store,
  services,
  logger,
  withRefreshToken,
  accessRevocations
}: Deps) {
  return oauth2orize.exchange.authorizationCode(function exchangeCode(
    client: Client,
    code: string,
    redirectUri: string | undefined,
    body: Record<string, unknown>,
    info: TokenRequestInfo,
    done: IssuedCallback
  ) {
    settle(async () => {
      issuer.assertSubjectsGiven(client.app);
      const now = Math.floor(Date.now() / 1000);
      const record = await codes.find(code, now);
      if (!record) throw new InvalidGrant(UNKNOWN);
      checkBinding(record, client, redirectUri, body.code_verifier, info.dpopJkt);
      // RFC 8707 §2.2: the token may be for fewer of the code's resources, never others; refused before the code is
      // spent.
      const granted = record.resources ? record.resources.split(' ') : [];
      const resources = info.resources.within(granted);
      const use = record.used ? 'replayed' : await codes.markUsed(code, now);
      if (use === 'gone') throw new InvalidGrant(UNKNOWN);
      if (use === 'replayed') {
        await store.revokeGrant(record.grantId);
        logger.warn(
          `oauth2: authorization code of grant ${record.grantId} (client ${record.appId}) replayed; grant revoked`
        );
        throw new InvalidGrant(UNKNOWN);
      }

      const issuedAt = record.issuedAt ?? (record.exp - settings.authorizationCode.ttl) * 1000;
      const [user, revoked] = await Promise.all([
        services.user.get(record.userId),
        accessRevocations.revokedSince(record.userId, client.id, issuedAt)
      ]);
      if (!user || !user.isActive) throw new InvalidGrant('The resource owner is no longer active');
      // Issued before the user took the app's access back on the "Connected apps" page: it has no grant to revoke.
      if (revoked) throw new InvalidGrant("The user revoked this application's access since this code was issued");
      const scopes = await stillGranted(splitScopes(record.scope), client, { settings, services });
      // The sign-in gives this client an ID token: the client hears when it ends (Back-Channel Logout 1.0), and a
      // code of a sign-in that ended since is refused (its grant would outlive the sign-out).
      if (record.sid && sessions && isOpenIdRequest(scopes, settings)) {
        const offline = scopes.includes(OFFLINE_ACCESS);
        if (!(await sessions.remember(record.sid, client.id, record.grantId, offline))) {
          throw new InvalidGrant('The user has signed out since this code was issued');
        }
      }
      return issuer.issue({
        ...senderConstraint(info),
        grantType: 'authorization_code',
        grantId: record.grantId,
        app: client.app,
        user: { id: user.id, username: user.username },
        scopes,
        resources,
        grantResources: granted,
        redirectUri: record.redirectUri,
        refresh: withRefreshToken ? { scopes } : null,
        identity: {
          user,
          nonce: record.nonce,
          authTime: record.authTime,
          sid: record.sid,
          idTokenClaims: splitScopes(record.idTokenClaims ?? '')
        },
        requestedClaims:
          record.idTokenClaims === undefined && record.userinfoClaims === undefined
            ? undefined
            : {
                idToken: splitScopes(record.idTokenClaims ?? ''),
                userinfo: splitScopes(record.userinfoClaims ?? '')
              }
      });
    }, done);
  });
}
