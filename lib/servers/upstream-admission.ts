import { InvalidRequest, UnsupportedGrantType, UnsupportedResponseType } from '../errors';
import type { ServerEntry } from './server-entry';

/** RFC 6749 §2.3.1: client credentials are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

const single = (params: URLSearchParams, name: string): string | undefined => {
  const values = params.getAll(name);
  if (values.length > 1) throw new InvalidRequest(`The parameter "${name}" is repeated`);
  return values[0];
};

/**
 * Janus's allowed access types: a grant the entry does not allow is refused
 * here, before any upstream call (RFC 6749 §5.2). Only when allowedGrants is set.
 */
export function admitGrant(entry: ServerEntry, query: URLSearchParams, form: URLSearchParams): void {
  if (!entry.allowedGrants) return;
  const grant = single(form, 'grant_type') ?? single(query, 'grant_type');
  if (!grant) throw new InvalidRequest('The grant_type parameter is required');
  if (!entry.allowedGrants.includes(grant)) {
    throw new UnsupportedGrantType(`The grant type "${grant.slice(0, 100)}" is not allowed for ${entry.name}`);
  }
}

/**
 * Janus's allowed authorize types. The error is answered to the browser, not
 * redirected: the gateway cannot vouch for a redirect_uri only the upstream
 * knows (RFC 6749 §4.1.2.1).
 */
export function admitResponseType(entry: ServerEntry, params: URLSearchParams): void {
  if (!entry.allowedResponseTypes) return;
  const responseType = single(params, 'response_type');
  if (!responseType) throw new InvalidRequest('The response_type parameter is required');
  if (!entry.allowedResponseTypes.includes(responseType)) {
    throw new UnsupportedResponseType(`The response type "${responseType.slice(0, 100)}" is not allowed for ${entry.name}`);
  }
}

/**
 * Janus's secrets: a client that names itself with only its client_id (no
 * Authorization header, no secret, no assertion) and has a secret in the
 * entry is authenticated upstream with client_secret_basic (RFC 6749
 * §2.3.1), the method every server must support; client_id then leaves the
 * body, as one request must not use two methods.
 * @returns the Authorization header to add, if any; `form` is edited.
 */
export function addClientSecret(entry: ServerEntry, authorization: string | undefined, form: URLSearchParams): string | undefined {
  if (authorization || form.has('client_secret') || form.has('client_assertion')) return undefined;
  const clientId = single(form, 'client_id');
  const secret = clientId !== undefined && Object.hasOwn(entry.secrets, clientId) ? entry.secrets[clientId] : undefined;
  if (!clientId || secret === undefined) return undefined;
  form.delete('client_id');
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
}
