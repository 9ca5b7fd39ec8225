import type { Request } from 'express';
import type { ValidatedToken } from '../../lib/tokens/validated-token';

const IDENTITY_HEADER = /^eg-(token|consumer)-/;

/** Headers a client sends with our prefixes are forgeries: drop them before anything else. */
export function stripSpoofedIdentity(req: Request): void {
  for (const name of Object.keys(req.headers)) {
    if (IDENTITY_HEADER.test(name)) delete req.headers[name];
  }
}

/** Header values must be visible ASCII; anything else is percent-encoded rather than dropped. */
function headerValue(value: string): string {
  return /^[\x20-\x7E]*$/.test(value) ? value : encodeURIComponent(value);
}

/** A header name from a consumer property: camelCase becomes kebab-case (redirectUri -> redirect-uri). */
function headerSuffix(property: string): string | null {
  const kebab = property.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return /^[a-z0-9-]+$/.test(kebab) ? kebab : null;
}

const isoDate = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/**
 * Makes the token's identity known downstream and to later policies:
 * `req.user` (EG's `egContext.consumer`, used by rate-limit, expression...)
 * is the consumer application with its token, and the `eg-token-*` /
 * `eg-consumer-*` headers of EG's documentation go upstream.
 */
export function forwardIdentity(req: Request, token: ValidatedToken): void {
  const consumer = token.consumer;
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') req.headers[name] = headerValue(value);
  };
  set('eg-token-id', token.id);
  set('eg-token-scopes', token.scopes.join(' '));
  set('eg-token-created-at', token.issuedAt ? isoDate(token.issuedAt) : undefined);
  set('eg-token-expires-at', token.expiresAt ? isoDate(token.expiresAt) : undefined);
  set('eg-token-issuer', token.issuer);
  set('eg-token-consumer-id', token.clientId);
  set('eg-token-authenticated-user-id', token.userId);
  set('eg-token-auth-type', 'oauth2');
  set('eg-token-redirect-uri', token.redirectUri);
  set('eg-consumer-type', 'application');
  set('eg-consumer-id', token.clientId);
  for (const [property, value] of Object.entries(consumer)) {
    const suffix = property === 'isActive' ? 'is-active' : headerSuffix(property);
    if (suffix && suffix !== 'id' && suffix !== 'type') set(`eg-consumer-${suffix}`, value);
  }

  req.user = {
    ...consumer,
    id: token.clientId,
    type: 'application',
    // Another issuer's client is not an EG app: its issuer vouched for it.
    isActive: consumer.isActive === undefined || consumer.isActive === 'true',
    token: {
      id: token.id,
      scopes: token.scopes,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt,
      authenticatedUserId: token.userId || undefined,
      username: token.username || undefined,
      grantType: token.grantType || undefined,
      issuer: token.issuer
    }
  };
}
