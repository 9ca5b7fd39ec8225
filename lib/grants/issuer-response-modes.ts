import type { Response } from 'express';
import { ServerError } from '../errors';

interface Transaction {
  redirectURI?: string;
}
type ResponseMode = ((txn: Transaction, res: Response, params: Record<string, string>) => void) & {
  validate(txn: Transaction): void;
};

/**
 * oauth2orize answers the user's Deny with a bare `error=access_denied`:
 * RFC 6749 §4.1.2.1 lets the client be told why, and a client that shows
 * the error to its user should have words for it.
 */
function denial(params: Record<string, string>): Record<string, string> {
  return params.error === 'access_denied' && !params.error_description
    ? { error_description: 'The user denied the request' }
    : {};
}

function mode(place: 'query' | 'fragment', issuer: string): ResponseMode {
  const respond = (txn: Transaction, res: Response, params: Record<string, string>) => {
    const url = new URL(txn.redirectURI as string);
    // RFC 9207 §2: every authorization response, success or error, names its issuer against mix-up attacks.
    const all = { ...params, ...denial(params), iss: issuer };
    if (place === 'query') {
      for (const [name, value] of Object.entries(all)) url.searchParams.set(name, String(value));
    } else {
      url.hash = new URLSearchParams(all).toString();
    }
    res.redirect(302, url.toString());
  };
  return Object.assign(respond, {
    validate(txn: Transaction) {
      if (!txn.redirectURI) throw new ServerError('The authorization response has no redirect URI');
    }
  });
}

/**
 * oauth2orize response modes (its `modes` option) for the code grant (query,
 * RFC 6749 §4.1.2) and the implicit grant (fragment, §4.2.2) that add `iss`
 * (RFC 9207) to every response, including the user's denial (with a description).
 */
export function issuerResponseModes(issuer: string): { query: ResponseMode; fragment: ResponseMode } {
  return { query: mode('query', issuer), fragment: mode('fragment', issuer) };
}
