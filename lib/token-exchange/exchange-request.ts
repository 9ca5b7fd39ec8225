import type { Client } from '../clients/client';
import { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } from '../errors';
import { canonicalResource, isResourceIdentifier } from '../resources/resource-identifier';
import { grantScopes, isValidScopeParam, shownScope, splitScopes } from '../scopes';
import type { Settings } from '../settings';
import { ACCESS_TOKEN_TYPE, isPresentedTokenType, PresentedTokenType } from './token-types';

/** A token a token exchange request presents: the subject's or the actor's (RFC 8693 §2.1). */
export interface Presented {
  token: string;
  type: PresentedTokenType;
}

/** A token exchange request, its parameters checked (RFC 8693 §2.1). */
export interface ExchangeRequest {
  subject: Presented;
  actor: Presented | undefined;
  /** The audiences of the new token, each one the client may ask for. */
  targets: string[];
  /** The scope parameter, split; undefined when absent. */
  scopes: string[] | undefined;
}

const shown = (value: unknown) => (typeof value === 'string' ? value.slice(0, 100) : `a ${typeof value}`);

/** One presented token: both parameters, or (for the actor) neither (RFC 8693 §2.1). */
function presented(body: Record<string, unknown>, role: 'subject' | 'actor'): Presented | undefined {
  const token = body[`${role}_token`];
  const type = body[`${role}_token_type`];
  if (token === undefined && type === undefined && role === 'actor') return undefined;
  if (typeof token !== 'string' || !token) throw new InvalidRequest(`The ${role}_token parameter is missing`);
  if (type === undefined) throw new InvalidRequest(`The ${role}_token_type parameter is missing`);
  if (!isPresentedTokenType(type))
    throw new InvalidRequest(`The ${role}_token_type "${shown(type)}" is not one this server takes`);
  return { token, type };
}

/**
 * RFC 8693 §2.1: `audience` and `resource` (each repeatable) name what the new token is for: here each must be one
 * of the audiences tokenExchange.clients lets this client ask for (a URL compared in its canonical spelling), and
 * one at least is needed, or the new token would be good wherever the subject token is.
 * @throws InvalidTarget (RFC 8693 §2.2.2)
 */
function targetsOf(body: Record<string, unknown>, allowed: string[], settings: Settings): string[] {
  const named = [body.audience ?? [], body.resource ?? []].flat();
  if (named.length === 0) throw new InvalidTarget('Name the audience or resource the new token is for');
  if (named.length > 10) throw new InvalidTarget('At most 10 audiences and resources may be named');
  const spell = (value: string) => (isResourceIdentifier(value) ? canonicalResource(value) : value);
  const permitted = new Map(allowed.map((audience) => [spell(audience), audience]));
  return [
    ...new Set(
      named.map((value) => {
        const audience = typeof value === 'string' ? permitted.get(spell(value)) : undefined;
        if (audience === undefined)
          throw new InvalidTarget(`This client may not exchange tokens for "${shown(value)}" (tokenExchange.clients)`);
        // The audience of tokens requested for no resource: a token for it would be taken wherever those are.
        if (audience === settings.accessToken.audience)
          throw new InvalidTarget(`"${shown(value)}" is this server's own audience, not an upstream's`);
        return audience;
      })
    )
  ];
}

/** What a client may exchange tokens for: its entry in tokenExchange.clients, and its app's tokenExchangeAudiences. */
function exchangeAudiencesOf(client: Client, settings: Settings): string[] {
  const listed = settings.tokenExchange.clients.find((entry) => entry.clientId === client.id)?.audiences ?? [];
  const property = client.app.tokenExchangeAudiences;
  const own = typeof property === 'string' ? property.split(/\s+/).filter(Boolean) : [];
  return [...listed, ...own];
}

/**
 * Checks a token exchange request before any token in it is read: the client may exchange (tokenExchange.clients),
 * the tokens are of types this server takes, the audiences are the client's to ask for, the scope is well formed,
 * and the token asked for is an access token (RFC 8693 §2.1 requested_token_type).
 * @throws UnauthorizedClient, InvalidRequest, InvalidTarget, InvalidScope
 */
export function exchangeRequest(client: Client, body: Record<string, unknown>, settings: Settings): ExchangeRequest {
  const audiences = exchangeAudiencesOf(client, settings);
  if (audiences.length === 0)
    throw new UnauthorizedClient(
      'This client may not exchange tokens (tokenExchange.clients, or its tokenExchangeAudiences property)'
    );
  const subject = presented(body, 'subject')!;
  const actor = presented(body, 'actor');
  const requested = body.requested_token_type;
  if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE)
    throw new InvalidRequest(`The requested_token_type "${shown(requested)}" is not one this server issues`);
  const scope = body.scope;
  if (scope !== undefined && (typeof scope !== 'string' || !isValidScopeParam(scope)))
    throw new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
  // Before any token is read: a scope the client may not have is refused without spending one.
  if (typeof scope === 'string') grantScopes(splitScopes(scope), client.scopes);
  return {
    subject,
    actor,
    targets: targetsOf(body, audiences, settings),
    scopes: typeof scope === 'string' ? splitScopes(scope) : undefined
  };
}

/**
 * The scopes of the new token: those asked for, else the subject token's, never beyond what the subject token holds
 * (when it says) nor what the client's credential allows (RFC 8693 §2.1 scope). A subject token holding none the
 * client may have gives a token with none, never the client's own.
 * @throws InvalidScope
 */
export function exchangedScopes(requested: string[] | undefined, held: string[] | null, client: Client): string[] {
  if (held === null) return grantScopes(requested, client.scopes);
  if (requested === undefined || requested.length === 0) return held.filter((scope) => client.scopes.includes(scope));
  const wider = requested.find((scope) => !held.includes(scope));
  if (wider !== undefined)
    throw new InvalidScope(`The scope "${shownScope(wider)}" exceeds the scope of the subject token`);
  return grantScopes(requested, client.scopes);
}
