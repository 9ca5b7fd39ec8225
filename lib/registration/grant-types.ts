import { DISCOURAGED_GRANTS, GRANT_TYPES } from '../../schemas/settings.schema';
import { publicClientMayUse } from '../clients/grant-policy';
import { InvalidClientMetadata } from '../errors';

/** RFC 7591 §2.1: each response type belongs to one grant type. */
const GRANT_OF_RESPONSE: Record<string, string> = { code: 'authorization_code', token: 'implicit' };
const RESPONSE_OF_GRANT: Record<string, string> = { authorization_code: 'code', implicit: 'token' };

/** What a registration uses at the token and authorization endpoints. */
export interface Flows {
  grantTypes: string[];
  responseTypes: string[];
}

/**
 * The grant and response types of a registration, defaulted and checked
 * (RFC 7591 §2.1). When one list is left out it follows from the other, so
 * that a client naming only `grant_types: ["client_credentials"]` is not
 * refused for an implied `response_types: ["code"]`; when both are left out
 * the client gets the code flow.
 * @param enabled the grants this server has on
 * @param isPublic token_endpoint_auth_method none: only the grants that need no secret
 * @throws InvalidClientMetadata naming the field and value at fault
 */
export function checkFlows(
  grantTypes: string[] | undefined,
  responseTypes: string[] | undefined,
  enabled: readonly string[],
  isPublic: boolean
): Flows {
  const impliedGrants = (responseTypes ?? []).map((type) => {
    // Own keys only: "constructor" is not a response type.
    const grant = Object.hasOwn(GRANT_OF_RESPONSE, type) ? GRANT_OF_RESPONSE[type] : undefined;
    if (!grant) throw new InvalidClientMetadata(`response_types: "${type}" is not supported (code or token)`);
    return grant;
  });
  const grants = [...new Set(grantTypes ?? (responseTypes ? impliedGrants : ['authorization_code']))];
  const responses = [
    ...new Set(
      responseTypes ??
        grants.flatMap((grant) => (Object.hasOwn(RESPONSE_OF_GRANT, grant) ? (RESPONSE_OF_GRANT[grant] ?? []) : []))
    )
  ];
  if (grants.length === 0) throw new InvalidClientMetadata('grant_types must name at least one grant type');
  for (const grant of grants) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant))
      throw new InvalidClientMetadata(`grant_types: "${grant}" is not a grant type this server knows`);
    if (!enabled.includes(grant))
      throw new InvalidClientMetadata(`grant_types: "${grant}" is not enabled on this server`);
    if (DISCOURAGED_GRANTS.includes(grant)) {
      throw new InvalidClientMetadata(
        `grant_types: "${grant}" is not offered to registered clients (RFC 9700 section 2.${grant === 'password' ? 4 : '1.2'})`
      );
    }
    if (isPublic && !publicClientMayUse(grant)) {
      throw new InvalidClientMetadata(
        `grant_types: a public client (token_endpoint_auth_method "none") may not use "${grant}"`
      );
    }
  }
  for (const [response, grant] of Object.entries(GRANT_OF_RESPONSE)) {
    if (responses.includes(response) !== grants.includes(grant)) {
      throw new InvalidClientMetadata(
        `grant_types and response_types disagree: response type "${response}" goes with grant type "${grant}" (RFC 7591 §2.1)`
      );
    }
  }
  return { grantTypes: grants, responseTypes: responses };
}
