import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import { grantScopes } from '../scopes';
import type { TokenIssuer } from '../tokens/token.issuer';
import { IssuedCallback, settle } from './settle';
import { senderConstraint, type TokenRequestInfo } from './password.exchange';

/**
 * Client credentials grant (RFC 6749 §4.4): the client acts on its own
 * behalf. No refresh token is ever issued (§4.4.3).
 */
export function clientCredentialsExchange(issuer: TokenIssuer) {
  return oauth2orize.exchange.clientCredentials(function issueToClient(
    client: Client,
    scope: string[] | undefined,
    _body: unknown,
    info: TokenRequestInfo,
    done: IssuedCallback
  ) {
    settle(
      () =>
        issuer.issue({
          ...senderConstraint(info),
          grantType: 'client_credentials',
          app: client.app,
          user: null,
          scopes: grantScopes(scope, client.scopes),
          resources: info.resources.requested,
          refresh: null
        }),
      done
    );
  } as never);
}
