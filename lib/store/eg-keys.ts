/**
 * Redis keys Express Gateway 1.16 itself writes (lib/services/.../*.dao.js).
 * The bearer check reads them directly, in the same pipeline as the token, so
 * that checking a token stays one round trip; the client name check scans
 * the applications.
 */
export interface EgKeys {
  application(id: string): string;
  /** A SCAN pattern matching every application's hash (EG's own findAll stops at the first empty SCAN page). */
  applicationPattern: string;
  oauth2Credential(consumerId: string): string;
  user(id: string): string;
}

/** A namespace as a literal in a SCAN pattern. */
const globLiteral = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

export function egKeys(namespace: string): EgKeys {
  return {
    application: (id) => `${namespace}-application:${id}`,
    applicationPattern: `${globLiteral(namespace)}-application:*`,
    oauth2Credential: (consumerId) => `${namespace}-oauth2:${consumerId}`,
    user: (id) => `${namespace}-user:${id}`
  };
}
