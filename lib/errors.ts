/**
 * A text as error_description may carry it: RFC 6749 §4.1.2.1 and §5.2
 * allow %x20-21 / %x23-5B / %x5D-7E only. Every description passes here,
 * ours and any request input quoted in them (issue 15, item 15): a
 * section sign becomes "section", double quotes single ones, a backslash a
 * slash, >= and <= words, and anything else outside the set, and markup's
 * angle brackets (inside it, but no text of ours needs them), a question mark.
 */
export function describable(text: string): string {
  return text
    .replace(/§\s?/g, 'section ')
    .replace(/>=/g, 'at least')
    .replace(/<=/g, 'at most')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20\x21\x23-\x3B\x3D\x3F-\x5B\x5D-\x7E]/g, '?');
}

/**
 * OAuth 2.0 errors, one class per RFC error code, each with its RFC status.
 * `description` is public (sent as `error_description`); `detail` is private
 * and only ever goes to the log.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;
  /** Extra response headers, e.g. WWW-Authenticate. */
  headers: Record<string, string> = {};
  /** The public text, in the characters error_description may hold (see describable). */
  readonly description: string;

  constructor(
    description: string,
    readonly detail?: string
  ) {
    super(describable(description));
    this.description = this.message;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** RFC 6749 §5.2 */
export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 400;
}

/** RFC 9449 §5: the DPoP proof of a token request is missing what it needs, or does not verify. */
export class InvalidDpopProofError extends OAuthError {
  readonly error = 'invalid_dpop_proof';
  readonly status = 400;
}

/** RFC 9101 §6.3: the request object does not verify or breaks a rule. */
export class InvalidRequestObject extends OAuthError {
  readonly error = 'invalid_request_object';
  readonly status = 400;
}

/** RFC 9126 §4: the request_uri is unknown, expired or used, or not this client's. */
export class InvalidRequestUri extends OAuthError {
  readonly error = 'invalid_request_uri';
  readonly status = 400;
}

/** RFC 9449 §8: the token endpoint wants a proof carrying its nonce, which comes in the DPoP-Nonce header. */
export class UseDpopNonceError extends OAuthError {
  readonly error = 'use_dpop_nonce';
  readonly status = 400;
  constructor(description: string, nonce: string) {
    super(description);
    this.headers = { 'DPoP-Nonce': nonce };
  }
}

/**
 * RFC 9449 §7.1: at a protected resource, a DPoP-bound token without a valid proof of its key, or a DPoP proof with a
 * token bound to none; answered with a DPoP challenge (and, for `use_dpop_nonce`, the nonce to use, §9).
 */
export class DpopRefused extends OAuthError {
  readonly status = 401;
  constructor(
    readonly error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce',
    description: string,
    nonce?: string
  ) {
    super(description);
    if (nonce !== undefined) this.headers = { 'DPoP-Nonce': nonce };
  }
}

/** The admin API: nothing of that name (RFC 9110 §15.5.5). */
export class NotFound extends OAuthError {
  readonly error = 'not_found';
  readonly status = 404;
}

/** The admin API: the name is taken (RFC 9110 §15.5.10). */
export class Conflict extends OAuthError {
  readonly error = 'conflict';
  readonly status = 409;
}

/** RFC 9110 §15.5.6: a method the path does not take, with the ones it does in Allow. */
export class MethodNotAllowed extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 405;

  constructor(method: string, allowed: string[]) {
    super(`${method.slice(0, 16)} is not one of the methods of this path: ${allowed.join(', ')}`);
    this.headers = { Allow: allowed.join(', ') };
  }
}
/** OpenID Connect Core §3.1.2.6: prompt=none, and the user must sign in (again, for max_age) first. */
export class LoginRequired extends OAuthError {
  readonly error = 'login_required';
  readonly status = 400;
}
/** OpenID Connect Core §3.1.2.6: prompt=none, and the user has not consented to this client and scope. */
export class ConsentRequired extends OAuthError {
  readonly error = 'consent_required';
  readonly status = 400;
}
/** OpenID Connect Core §3.1.2.6: a request object (`request`) sent where none is processed. */
export class RequestNotSupported extends OAuthError {
  readonly error = 'request_not_supported';
  readonly status = 400;
}
/** OpenID Connect Core §3.1.2.6: a `request_uri` sent where none is processed. */
export class RequestUriNotSupported extends OAuthError {
  readonly error = 'request_uri_not_supported';
  readonly status = 400;
}
/** RFC 6749 §5.2: 401 always; the WWW-Authenticate challenge is added when the client tried Basic. */
export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  readonly status = 401;
}
/** RFC 6749 §5.2 */
export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant';
  readonly status = 400;
}
/** RFC 6749 §5.2 */
export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly status = 400;
}
/** RFC 6749 §5.2 */
export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 400;
}
/** RFC 6749 §5.2 */
export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
  readonly status = 400;
}
/** RFC 8707 §2: a resource that is malformed, unknown, or beyond the grant. */
export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target';
  readonly status = 400;
}
/** RFC 6749 §4.1.2.1 */
export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type';
  readonly status = 400;
}
/** RFC 6749 §4.1.2.1: the resource owner said no. */
export class AccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly status = 403;
}
/** RFC 6749 §4.1.2.1; also used when the store is down. */
export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable';
  readonly status = 503;
}
/**
 * Redis is down or does not answer in time: every request that needs it fails alike, so the log says so once in a while
 * (lib/http/log-failure.ts).
 */
export class StoreUnavailable extends TemporarilyUnavailable {}
/**
 * An upstream authorization server behind the front proxy did not answer in time: RFC 9110 §15.6.5's 504, with RFC
 * 6749's code.
 */
export class UpstreamTimeout extends OAuthError {
  readonly error = 'temporarily_unavailable';
  readonly status = 504;
}
/** RFC 8628 §3.5: the user has not decided yet; the device keeps polling. */
export class AuthorizationPending extends OAuthError {
  readonly error = 'authorization_pending';
  readonly status = 400;
}
/** RFC 8628 §3.5: the device polls faster than its interval, which grows by 5 seconds. */
export class SlowDown extends OAuthError {
  readonly error = 'slow_down';
  readonly status = 400;
}
/** RFC 8628 §3.5: the device code expired before the user decided. */
export class ExpiredToken extends OAuthError {
  readonly error = 'expired_token';
  readonly status = 400;
}
/** RFC 8628 §3.5: the user denied the device, answered at the token endpoint (400, unlike a redirect). */
export class DeviceAccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly status = 400;
}
/**
 * Too many requests (RFC 6585 §4: 429 with Retry-After). RFC 6749 §5.2 has no
 * code for it and RFC 8628 registers slow_down for the token endpoint only;
 * slow_down still tells a device client what to do, and the status and
 * header tell any HTTP client.
 */
export class RateLimited extends OAuthError {
  readonly error = 'slow_down';
  readonly status = 429;
  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
/** Anything unexpected: the public text is generic, the cause goes to the log. */
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  readonly status = 500;
}

/** RFC 7591 §3.2.2: a redirect URI the registration cannot accept. */
export class InvalidRedirectUri extends OAuthError {
  readonly error = 'invalid_redirect_uri';
  readonly status = 400;
}
/** RFC 7591 §3.2.2: a metadata field is invalid (the description names it). */
export class InvalidClientMetadata extends OAuthError {
  readonly error = 'invalid_client_metadata';
  readonly status = 400;
}

/** RFC 6750 §3.1 */
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly status = 401;
}
/**
 * A token that could not be checked at all (its issuer's keys or introspection endpoint are unreachable): refused,
 * never forgiven by passThrough.
 */
export class TokenNotVerifiable extends InvalidToken {}
/** RFC 6750 §3.1; `scope` lists what the resource needs, for the challenge's scope attribute. */
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  readonly status = 403;
  constructor(
    description: string,
    readonly scope: string
  ) {
    super(description);
  }
}

/** Error codes oauth2orize raises, mapped onto our classes so status and text are ours. */
const byCode: Record<string, new (description: string, detail?: string) => OAuthError> = {
  invalid_request: InvalidRequest,
  invalid_client: InvalidClient,
  invalid_grant: InvalidGrant,
  unauthorized_client: UnauthorizedClient,
  unsupported_grant_type: UnsupportedGrantType,
  invalid_scope: InvalidScope,
  unsupported_response_type: UnsupportedResponseType,
  access_denied: AccessDenied,
  temporarily_unavailable: TemporarilyUnavailable
};

/**
 * Store failures (ioredis; the deadline of lib/eg/store-deadline.ts) carry no OAuth code but mean "try again later".
 */
function isStoreOutage(err: Error): boolean {
  return /Connection is closed|ECONNREFUSED|ETIMEDOUT|ECONNRESET|MaxRetriesPerRequest|Stream isn't writeable|Command timed out|Too many Cluster redirections|Cluster isn't ready|CLUSTERDOWN|TRYAGAIN|Failed to refresh slots cache|None of startup nodes is available|^READONLY|^LOADING|^MASTERDOWN/i.test(
    err.message
  );
}

/**
 * Express and the body parsers mark a request they cannot read (a path
 * parameter that does not percent-decode, a body that does not inflate or is
 * too large) with a 4xx status: the client's mistake, not the server's.
 * @returns that status, or undefined for any other error.
 */
export function clientErrorStatus(err: unknown): number | undefined {
  const { status, statusCode } = (err ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = status ?? statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}

/**
 * Turns anything thrown into an OAuthError. oauth2orize's own errors keep
 * their code but get our status; their message is safe (it is written by
 * oauth2orize, never from a secret). An unreadable request is
 * invalid_request. Anything else becomes a generic server_error, with the
 * real cause kept as private detail.
 */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  if (e.name === 'TokenError' || e.name === 'AuthorizationError') {
    const Known = typeof code === 'string' ? byCode[code] : undefined;
    if (Known) return new Known(e.message);
  }
  if (clientErrorStatus(e) !== undefined) return new InvalidRequest('The request is malformed', e.message);
  if (isStoreOutage(e)) {
    return new StoreUnavailable('The authorization server is temporarily unavailable, try again later', e.message);
  }
  return new ServerError('The authorization server encountered an unexpected condition', e.stack ?? e.message);
}
