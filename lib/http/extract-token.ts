import type { Request } from 'express';
import { InvalidRequest } from '../errors';
import { readReplayableForm } from './replayable-form';
import type { PolicyParams } from '../../schemas/policy.schema';

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longer than any token this gateway or a sane issuer makes: refused before any parsing or lookup. */
export const MAX_TOKEN_LENGTH = 8192;

function checkedToken(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
    throw new InvalidRequest('The access token is malformed');
  }
  return token;
}

/**
 * The token of the common case, without waiting for anything: a well-formed
 * bearer token in the Authorization header, on a pipeline that looks nowhere
 * else. Null whenever extractToken has more to check or to say.
 */
export function headerOnlyToken(req: Request, params: PolicyParams): string | null {
  if (params.allowQueryToken || params.allowBodyToken) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization ?? '');
  const token = match?.[1];
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

/**
 * RFC 6750 §2.1: the token of the Authorization header (the Bearer scheme, or RFC 9449 §7.1's DPoP, whose proof the
 * policy checks), or null when there is none. @throws InvalidRequest for a malformed one.
 */
export function fromHeader(req: Request): string | null {
  const authorization = req.headers.authorization;
  if (!authorization) return null;
  const token = /^(?:Bearer|DPoP) +(.*)$/i.exec(authorization)?.[1];
  return token === undefined ? null : checkedToken(token.trim());
}

function removeQueryToken(req: Request): void {
  const [path = '', query = ''] = req.url.split('?');
  const params = new URLSearchParams(query);
  params.delete('access_token');
  const rest = params.toString();
  req.url = rest ? `${path}?${rest}` : path;
}

/**
 * Finds the bearer token in the places the pipeline allows (RFC 6750 §2):
 * the Authorization header always; the query and a form body only when
 * enabled. A token in more than one place is invalid_request (§3.1). With
 * hideCredentials the token is removed so that it never goes upstream.
 * @returns the token, or null when the request carries none.
 */
export async function extractToken(
  req: Request,
  params: Pick<PolicyParams, 'allowQueryToken' | 'allowBodyToken' | 'hideCredentials' | 'maxBodyBytes'>
): Promise<string | null> {
  const found: string[] = [];
  const header = fromHeader(req);
  if (header) found.push(header);

  if (params.allowQueryToken && typeof req.query.access_token === 'string') {
    found.push(checkedToken(req.query.access_token));
    if (params.hideCredentials) removeQueryToken(req);
  } else if (params.allowQueryToken && req.query.access_token !== undefined) {
    throw new InvalidRequest('The access_token query parameter is repeated');
  }

  // A body an earlier policy already consumed (request-transformer) cannot be read again.
  const bodyUnread = !req.readableEnded && !req._body;
  if (
    params.allowBodyToken &&
    bodyUnread &&
    req.method !== 'GET' &&
    req.method !== 'HEAD' &&
    req.is('application/x-www-form-urlencoded')
  ) {
    const body = await readReplayableForm(req, params.maxBodyBytes);
    const [token, ...repeated] = body.form.getAll('access_token');
    if (repeated.length > 0) throw new InvalidRequest('The access_token body parameter is repeated');
    if (token !== undefined) {
      found.push(checkedToken(token));
      if (params.hideCredentials) {
        body.form.delete('access_token');
        body.replaceWith(body.form);
      }
    }
  }

  if (found.length > 1) throw new InvalidRequest('The access token was sent in more than one way');
  if (header && params.hideCredentials) delete req.headers.authorization;
  return found[0] ?? null;
}
