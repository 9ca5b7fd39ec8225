import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import { InvalidGrant } from '../errors';
import { userGrantScopes } from '../oidc/oidc-scopes';
import type { Settings } from '../settings';
import type { EgServices } from '../eg/types';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { SignIn } from '../users/throttled-sign-in';
import { IssuedCallback, settle } from './settle';
import type { ResourceRequest } from '../resources/resource-indicators';

/** Set on the request by the token route: where the request came from, for throttling. */
export interface TokenRequestInfo {
  clientIp: string;
  /** The resources the request names (RFC 8707 §2), checked by the token route. */
  resources: ResourceRequest;
  /** The thumbprint of the key of the request's DPoP proof (RFC 9449 §5), checked by the token route. */
  dpopJkt?: string | undefined;
  /** The thumbprint of the client certificate presented, whatever the tokens are bound to (RFC 8705 §3.1). */
  certificate?: string | undefined;
  /** The thumbprint of the client certificate the new tokens are bound to (RFC 8705 §3), as the token route decided. */
  x5t?: string | undefined;
}

/** What the tokens of a request are bound to: its DPoP key, its client certificate, both or neither. */
export function senderConstraint(info: TokenRequestInfo): { dpopJkt?: string | undefined; x5t?: string | undefined } {
  return { dpopJkt: info.dpopJkt, x5t: info.x5t };
}

/**
 * Resource owner password credentials grant (RFC 6749 §4.3): the resource
 * owner is an EG user with a basic-auth credential. Guesses are throttled per
 * user name and per IP like the login page (§4.3.2). A refresh token comes
 * with the access token when the refresh_token grant is enabled, an ID token
 * when OpenID Connect is on and the scope holds openid.
 */
export function passwordExchange(
  {
    issuer,
    signIn,
    settings,
    services
  }: { issuer: TokenIssuer; signIn: SignIn; settings: Settings; services: EgServices },
  withRefreshToken: boolean
) {
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
      const scopes = await userGrantScopes(scope, client, { settings, services });
      const result = await signIn(username, password, info.clientIp);
      if (!result.user) {
        throw new InvalidGrant(
          result.locked
            ? 'Too many failed attempts for this resource owner; try again later'
            : 'The resource owner credentials are invalid'
        );
      }
      return issuer.issue({
        ...senderConstraint(info),
        grantType: 'password',
        app: client.app,
        user: { id: result.user.id, username: result.user.username },
        scopes,
        resources: info.resources.requested,
        refresh: withRefreshToken ? { scopes } : null,
        // The user has just proved who they are: an ID token for openid, as of now.
        identity: { user: result.user, authTime: Math.floor(Date.now() / 1000) }
      });
    }, done);
  } as never);
}
