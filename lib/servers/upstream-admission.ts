import { InvalidRequest, UnsupportedGrantType, UnsupportedResponseType } from '../errors';
import type { ServerEntry } from './server-entry';

/** RFC 6749 §2.3.1: client credentials are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * The one value of a parameter across the query and the form together: an
 * upstream that merges both must not act on a value the gateway never checked.
 */
function single(name: string, ...sources: Array<URLSearchParams | null>): string | undefined {
  const values = sources.flatMap((params) => params?.getAll(name) ?? []);
  if (values.length > 1) throw new InvalidRequest(`The parameter "${name}" is repeated`);
  return values[0];
}

/**
 * Janus's allowed access types: a grant the entry does not allow is refused
 * here, before any upstream call (RFC 6749 §5.2). Only when allowedGrants is set.
 */
export function admitGrant(entry: ServerEntry, query: URLSearchParams, form: URLSearchParams | null): void {
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
export function admitResponseType(entry: ServerEntry, query: URLSearchParams, form: URLSearchParams | null): void {
  if (!entry.allowedResponseTypes) return;
  const responseType = single('response_type', query, form);
  if (!responseType) throw new InvalidRequest('The response_type parameter is required');
  if (!entry.allowedResponseTypes.includes(responseType)) {
    throw new UnsupportedResponseType(
      `The response type "${responseType.slice(0, 100)}" is not allowed for ${entry.name}`
    );
  }
}

/**
 * Grants where something besides the client's secret proves the request: a
 * code issued to the client (RFC 6749 §4.1.3), a refresh token issued to it
 * (§6), a device code its user approved (RFC 8628 §3.4). For any other grant
 * an added secret would be the proof itself: client_credentials would mint
 * the client's tokens for anyone, password and the assertion grants (RFC
 * 7523, RFC 7522) would let anyone present credentials as that client, and
 * an unknown grant may be any of these.
 */
const PROVEN_BY_THE_GRANT = new Set([
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code'
]);

/**
 * Janus's secrets: at the token endpoint, a client that names itself with
 * only its client_id in the form (no Authorization header, no secret, no
 * assertion) and has a secret in the entry is authenticated upstream with
 * client_secret_basic (RFC 6749 §2.3.1), the method every server must
 * support; client_id then leaves the body, as one request must not use two
 * methods. Such a client is in effect a public client at the gateway, so this
 * happens only for the grants of PROVEN_BY_THE_GRANT.
 * @returns the Authorization header to add, if any; `form` is edited then.
 */
export function addClientSecret(
  entry: ServerEntry,
  authorization: string | undefined,
  query: URLSearchParams,
  form: URLSearchParams | null
): string | undefined {
  if (
    !form ||
    authorization ||
    [query, form].some((params) => params.has('client_secret') || params.has('client_assertion'))
  )
    return undefined;
  if (!PROVEN_BY_THE_GRANT.has(single('grant_type', query, form) ?? '')) return undefined;
  const clientId = single('client_id', query, form);
  const secret = clientId !== undefined && Object.hasOwn(entry.secrets, clientId) ? entry.secrets[clientId] : undefined;
  if (!clientId || secret === undefined || !form.has('client_id')) return undefined;
  form.delete('client_id');
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
}
