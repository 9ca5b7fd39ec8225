import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import type { EgServices } from '../eg/types';
import { InvalidGrant } from '../errors';
import { grantScopes } from '../scopes';
import type { TokenIssuer } from '../tokens/token.issuer';
import { authenticateUser } from '../users/user.authenticator';
import { IssuedCallback, settle } from './settle';

/**
 * Resource owner password credentials grant (RFC 6749 §4.3): the resource
 * owner is an EG user with a basic-auth credential. A refresh token comes
 * with the access token when the refresh_token grant is enabled.
 */
export function passwordExchange(issuer: TokenIssuer, services: EgServices, withRefreshToken: boolean) {
  return oauth2orize.exchange.password(
    function issueToResourceOwner(client: Client, username: string, password: string, scope: string[] | undefined, done: IssuedCallback) {
      settle(async () => {
        const scopes = grantScopes(scope, client.scopes);
        const user = await authenticateUser(services, username, password);
        if (!user) throw new InvalidGrant('The resource owner credentials are invalid');
        return issuer.issue({
          grantType: 'password',
          appId: client.id,
          user: { id: user.id, username: user.username },
          scopes,
          refresh: withRefreshToken ? { scopes } : null
        });
      }, done);
    }
  );
}
