import type { EgServices } from '../eg/types';
import type { Settings } from '../settings';

/**
 * The scopes a user may ask for on an app of their own: those the operator
 * marked self-service that EG knows (EG refuses a credential with an unknown
 * scope, so offering one would only end in an error).
 */
export async function offeredScopes(services: EgServices, settings: Settings): Promise<string[]> {
  const known = new Set((await services.credential.getAllScopes()) ?? []);
  return settings.clientRegistration.selfServiceScopes.filter((scope) => known.has(scope));
}
