import type { Client } from '../clients/client';
import { InvalidRequest } from '../errors';
import { grantScopes, splitScopes } from '../scopes';

/**
 * The parameters every assertion grant shares (RFC 7521 §4.1): the
 * `assertion`, required, and the optional `scope`, within the client's.
 * @throws InvalidRequest without an assertion, InvalidScope for a scope the client does not hold.
 */
export function assertionGrantRequest(
  client: Client,
  body: Record<string, unknown>
): { assertion: string; scopes: string[] } {
  if (typeof body.assertion !== 'string' || !body.assertion)
    throw new InvalidRequest('The assertion parameter is missing');
  const scopes = grantScopes(typeof body.scope === 'string' ? splitScopes(body.scope) : undefined, client.scopes);
  return { assertion: body.assertion, scopes };
}
