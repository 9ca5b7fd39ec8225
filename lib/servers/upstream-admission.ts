import { InvalidRequest, UnsupportedGrantType, UnsupportedResponseType } from '../errors';
import type { ServerEntry } from './server-entry';

/** RFC 6749 §2.3.1: client credentials are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * The one value of a parameter across the query and the form together: an
 * upstream that merges both must not act on a value the gateway never checked.
 */
function single(name: string, ...sources: URLSearchParams[]): string | undefined {
  const values = sources.flatMap((params) => params.getAll(name));
  if (values.length > 1) throw new InvalidRequest(`The parameter "${name}" is repeated`);
  return values[0];
}

/**
 * Janus's allowed access types: a grant the entry does not allow is refused
 * here, before any upstream call (RFC 6749 §5.2). Only when allowedGrants is set.
 */
export function admitGrant(entry: ServerEntry, query: URLSearchParams, form: URLSearchParams): void {
  if (!entry.allowedGrants) return;
  const grant = single('grant_type', query, form);
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
export function admitResponseType(entry: ServerEntry, query: URLSearchParams, form: URLSearchParams): void {
  if (!entry.allowedResponseTypes) return;
  const responseType = single('response_type', query, form);
  if (!responseType) throw new InvalidRequest('The response_type parameter is required');
  if (!entry.allowedResponseTypes.includes(responseType)) {
    throw new UnsupportedResponseType(`The response type "${responseType.slice(0, 100)}" is not allowed for ${entry.name}`);
  }
}

/**
 * Grants where the client's secret is its only proof: a secret the gateway
 * added would hand tokens to anyone who knows the client_id.
 */
const SECRET_IS_THE_PROOF = new Set(['client_credentials']);

/**
 * Janus's secrets: at the token endpoint, a client that names itself with
 * only its client_id (no Authorization header, no secret, no assertion) and
 * has a secret in the entry is authenticated upstream with
 * client_secret_basic (RFC 6749 §2.3.1), the method every server must
 * support; client_id then leaves the body, as one request must not use two
 * methods. Such a client is in effect a public client at the gateway, so this
 * never happens for client_credentials.
 * @returns the Authorization header to add, if any; `form` is edited then.
 */
export function addClientSecret(entry: ServerEntry, authorization: string | undefined, query: URLSearchParams, form: URLSearchParams): string | undefined {
  if (authorization || form.has('client_secret') || form.has('client_assertion')) return undefined;
  if (SECRET_IS_THE_PROOF.has(single('grant_type', query, form) ?? '')) return undefined;
  const clientId = single('client_id', form);
  const secret = clientId !== undefined && Object.hasOwn(entry.secrets, clientId) ? entry.secrets[clientId] : undefined;
  if (!clientId || secret === undefined) return undefined;
  form.delete('client_id');
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
}
