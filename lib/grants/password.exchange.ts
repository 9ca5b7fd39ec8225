import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import { InvalidGrant } from '../errors';
import { grantScopes } from '../scopes';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { SignIn } from '../users/throttled-sign-in';
import { IssuedCallback, settle } from './settle';

/** Set on the request by the token route: where the request came from, for throttling. */
export interface TokenRequestInfo {
  clientIp: string;
}

/**
 * Resource owner password credentials grant (RFC 6749 §4.3): the resource
 * owner is an EG user with a basic-auth credential. Guesses are throttled per
 * user name and per IP like the login page (§4.3.2). A refresh token comes
 * with the access token when the refresh_token grant is enabled.
 */
export function passwordExchange(issuer: TokenIssuer, signIn: SignIn, withRefreshToken: boolean) {
  return oauth2orize.exchange.password(function issueToResourceOwner(
    client: Client,
    username: string,
    password: string,
    scope: string[] | undefined,
    _body: unknown,
    info: TokenRequestInfo,
    done: IssuedCallback
  ) {
    settle(async () => {
      const scopes = grantScopes(scope, client.scopes);
      const result = await signIn(username, password, info.clientIp);
      if (!result.user) {
        throw new InvalidGrant(
          result.locked
            ? 'Too many failed attempts for this resource owner; try again later'
            : 'The resource owner credentials are invalid'
        );
      }
      return issuer.issue({
        grantType: 'password',
        appId: client.id,
        user: { id: result.user.id, username: result.user.username },
        scopes,
        refresh: withRefreshToken ? { scopes } : null
      });
    }, done);
  } as never);
}
