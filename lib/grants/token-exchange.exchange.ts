import { senderConstraint } from './password.exchange';
import { TOKEN_EXCHANGE } from '../../schemas/settings.schema';
import { InvalidRequest } from '../errors';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { Actor } from '../tokens/validated-token';
import { exchangedScopes, exchangeRequest } from '../token-exchange/exchange-request';
import { PresentedTokenDeps, readPresentedToken } from '../token-exchange/presented-token';
import { ACCESS_TOKEN_TYPE } from '../token-exchange/token-types';
import { extensionExchange } from './extension.exchange';

/**
 * Token exchange (RFC 8693): a client that tokenExchange.clients names presents a subject token (an access token of
 * this server, or a JWT or SAML assertion of an issuer trusted for the assertion grants) and gets an access token for
 * the same user, for an audience it may ask for, with no wider scope. With an actor token the new token says who acts
 * for the user (`act`, §4.1), the subject token's own actor nested in it. No refresh token: the client exchanges again.
 */
export function tokenExchangeExchange(deps: PresentedTokenDeps & { issuer: TokenIssuer }) {
  const { issuer, settings } = deps;
  return extensionExchange(async function exchangeToken(client, body, info) {
    issuer.assertSubjectsGiven(client.app);
    // The parameters, the audiences and the scope the client may have are checked before a token is read: a JWT or
    // SAML token is spent by reading it.
    const request = exchangeRequest(client, body, settings);
    const actor =
      request.actor && (await readPresentedToken(request.actor.type, request.actor.token, 'actor', client, deps, info));
    // The actor is the client itself (its own token), so that no client names another as acting (RFC 8693 §4.1).
    if (actor && (actor.user || (actor.party.client_id ?? actor.party.sub) !== client.id))
      throw new InvalidRequest("The actor token must be the client's own, issued to it for itself");
    const subject = await readPresentedToken(
      request.subject.type,
      request.subject.token,
      'subject',
      client,
      deps,
      info
    );
    if (!subject.user)
      throw new InvalidRequest('The subject token names no user: a client gets its own tokens with client_credentials');
    const scopes = exchangedScopes(request.scopes, subject.scopes, client);
    const act: Actor | undefined = actor
      ? { ...actor.party, ...(subject.act ? { act: subject.act } : {}) }
      : subject.act;
    const issued = await issuer.issue({
      ...senderConstraint(info),
      grantType: TOKEN_EXCHANGE,
      app: client.app,
      user: subject.user,
      scopes,
      resources: request.targets,
      act,
      refresh: null,
      // No longer than the subject token; one of this server's joins its grant, whose revocation revokes it too.
      expiresBy: subject.expiresAt,
      ...(subject.grantId ? { grantId: subject.grantId, joinsGrant: true } : {})
    });
    // RFC 8693 §2.2.1: what was issued, which is an access token whatever was presented.
    return { ...issued, params: { ...issued.params, issued_token_type: ACCESS_TOKEN_TYPE } };
  });
}
