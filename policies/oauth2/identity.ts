import type { Request } from 'express';
import type { ValidatedToken } from '../../lib/tokens/validated-token';

const IDENTITY_HEADER = /^eg-(token|consumer)-/;

/**
 * Headers a client sends with our prefixes are forgeries: drop them before
 * anything else. Read as a CGI or WSGI stack reads them (HTTP_EG_TOKEN_...:
 * `_`, `.` and any other punctuation become one), so that
 * `eg_token_authenticated_user_id` cannot pass for ours upstream either.
 */
export function stripSpoofedIdentity(req: Request): void {
  const headers = req.headers;
  for (const name in headers) {
    // Node lowercases names; only one starting with "eg" can read as ours, so most cost two comparisons.
    if (name.charCodeAt(0) !== 101 || name.charCodeAt(1) !== 103) continue;
    if (IDENTITY_HEADER.test(name.replace(/[^a-z0-9]/g, '-'))) delete headers[name];
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

type Headers = Array<[string, string]>;

/** What forwarding a token's identity takes, made once per validated token, which caches reuse for many requests. */
interface Identity {
  headers: Headers;
  /** EG's consumer (req.user) without its token. */
  user: Record<string, unknown>;
  /** req.user.token without its scopes (each request gets its own copy of those). */
  token: Record<string, unknown>;
}

const identities = new WeakMap<ValidatedToken, Identity>();

function identityHeaders(token: ValidatedToken): Headers {
  const headers: Headers = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers.push([name, headerValue(value)]);
  };
  add('eg-token-id', token.id);
  add('eg-token-scopes', token.scopes.join(' '));
  add('eg-token-created-at', token.issuedAt ? isoDate(token.issuedAt) : undefined);
  add('eg-token-expires-at', token.expiresAt ? isoDate(token.expiresAt) : undefined);
  add('eg-token-issuer', token.issuer);
  add('eg-token-consumer-id', token.clientId);
  add('eg-token-authenticated-user-id', token.userId);
  add('eg-token-auth-type', 'oauth2');
  add('eg-token-redirect-uri', token.redirectUri);
  add('eg-consumer-type', 'application');
  add('eg-consumer-id', token.clientId);
  for (const [property, value] of Object.entries(token.consumer)) {
    const suffix = property === 'isActive' ? 'is-active' : headerSuffix(property);
    if (suffix && suffix !== 'id' && suffix !== 'type') add(`eg-consumer-${suffix}`, value);
  }
  return headers;
}

function identityOf(token: ValidatedToken): Identity {
  let identity = identities.get(token);
  if (identity) return identity;
  const consumer = token.consumer;
  identity = {
    headers: identityHeaders(token),
    user: {
      ...consumer,
      id: token.clientId,
      type: 'application',
      // Another issuer's client is not an EG app: its issuer vouched for it.
      isActive: consumer.isActive === undefined || consumer.isActive === 'true'
    },
    token: {
      id: token.id,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt,
      authenticatedUserId: token.userId || undefined,
      username: token.username || undefined,
      grantType: token.grantType || undefined,
      issuer: token.issuer
    }
  };
  identities.set(token, identity);
  return identity;
}

/**
 * Makes the token's identity known downstream and to later policies:
 * `req.user` (EG's `egContext.consumer`, used by rate-limit, expression...)
 * is the consumer application with its token, and (withHeaders) the
 * `eg-token-*` / `eg-consumer-*` headers of EG's documentation go upstream.
 * On the hot path: copies of what identityOf made once, nothing computed.
 */
export function forwardIdentity(req: Request, token: ValidatedToken, withHeaders: boolean): void {
  const identity = identityOf(token);
  if (withHeaders) {
    const headers = req.headers;
    for (let i = 0; i < identity.headers.length; i++) {
      const [name, value] = identity.headers[i]!;
      headers[name] = value;
    }
  }
  // Fresh objects per request: later policies may change them, the cached token must not change.
  req.user = { ...identity.user, token: { ...identity.token, scopes: [...token.scopes] } };
}
