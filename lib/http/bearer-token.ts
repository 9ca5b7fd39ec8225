import type { Request } from 'express';
import { MissingToken } from './bearer-challenge';
import { extractToken } from './extract-token';
import { InvalidToken } from '../errors';
import type { PolicyParams } from '../../schemas/policy.schema';

/** Only the Authorization header: a token in a URL would end up in logs, and these bodies are JSON. */
const HEADER_ONLY = { allowQueryToken: false, allowBodyToken: false, hideCredentials: false } as PolicyParams;

/**
 * The bearer token of a request to one of the server's own protected
 * endpoints (RFC 6750 §2.1).
 * @throws MissingToken when there is none, InvalidRequest when it is malformed
 */
export async function bearerToken(req: Request): Promise<string> {
  // These endpoints check no DPoP proof (RFC 9449 §7): a token sent with that scheme is not taken as a bearer one.
  if (/^dpop /i.test(req.headers.authorization ?? ''))
    throw new InvalidToken('This endpoint takes bearer tokens only (Authorization: Bearer)');
  const token = await extractToken(req, HEADER_ONLY);
  if (!token) throw new MissingToken();
  return token;
}
