import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import type { SessionUser } from '../browser/session';
import type { SessionClients } from '../oidc/session-clients';
import { randomId } from '../secret-value';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { ParsedAuthorization } from './code.grant';
import { issuerResponseModes } from './issuer-response-modes';

/**
 * Implicit grant (RFC 6749 §4.2): the access token goes straight into the
 * redirect's fragment, never with a refresh token. Off unless `implicit` is
 * listed in `grants` (RFC 9700 §2.1.2 advises against it). With OpenID
 * Connect on, a token of an `openid` request joins the user's sign-in, so
 * that signing out ends it and tells the client (Back-Channel Logout 1.0
 * §2.7), as the ID token response types' do.
 */
export function implicitGrant(issuer: TokenIssuer, issuerId: string, sessions: SessionClients | null = null) {
  return oauth2orize.grant.token(
    { modes: issuerResponseModes(issuerId) } as never,
    function issueImplicit(
      client: Client,
      user: SessionUser,
      _ares: unknown,
      oauth2Request: oauth2orize.OAuth2Req,
      done: (err: Error | null, token?: string, params?: object) => void
    ) {
      const areq = oauth2Request as unknown as ParsedAuthorization;
      const grantId = randomId(16);
      const joined =
        sessions && areq.openId && user.sid ? sessions.join(user.sid, client.id, grantId) : Promise.resolve();
      joined
        .then(() =>
          issuer.issue({
            grantType: 'implicit',
            grantId,
            app: client.app,
            user: { id: user.id, username: user.username },
            scopes: areq.effectiveScopes,
            resources: areq.resources,
            refresh: null,
            // OpenID Connect Core §5.5: claims asked for at UserInfo come with this token too.
            requestedClaims: areq.openId?.claims
          })
        )
        .then(
          (issued) => done(null, issued.accessToken, issued.params),
          (err: Error) => done(err)
        );
    }
  );
}
