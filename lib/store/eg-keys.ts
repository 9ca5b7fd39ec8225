/**
 * Redis keys Express Gateway 1.16 itself writes (lib/services/.../*.dao.js).
 * The bearer check reads them directly, in the same pipeline as the token, so
 * that checking a token stays one round trip.
 */
export interface EgKeys {
  application(id: string): string;
  oauth2Credential(consumerId: string): string;
  user(id: string): string;
}

export function egKeys(namespace: string): EgKeys {
  return {
    application: (id) => `${namespace}-application:${id}`,
    oauth2Credential: (consumerId) => `${namespace}-oauth2:${consumerId}`,
    user: (id) => `${namespace}-user:${id}`
  };
}
