import type { EgApplication, EgServices } from '../eg/types';

/**
 * Who registered an app, as the consent page says it: the operator (through
 * EG's admin API or CLI), a user on the self-service pages, a client
 * itself over RFC 7591, or nobody: a client ID metadata document at a host. The plugin marks the apps it creates with
 * `registeredVia`; an app without the mark (every app of older versions)
 * is the operator's.
 */
export type Registrant =
  | { kind: 'operator' }
  | { kind: 'user'; username?: string | undefined }
  | { kind: 'dynamic' }
  | { kind: 'document'; host: string };

export type RegistrantKind = Registrant['kind'];

/** The kind of registrant an app's `registeredVia` property names; any mark but `dynamic` or `document` is a user's. */
export function registrantKind(registeredVia: unknown): RegistrantKind {
  if (typeof registeredVia !== 'string' || registeredVia === '') return 'operator';
  return registeredVia === 'dynamic' || registeredVia === 'document' ? registeredVia : 'user';
}

/** Who registered the app; for a user's app, the user name of its owner (absent if the account is gone). */
export async function registrantOf(services: EgServices, app: EgApplication): Promise<Registrant> {
  const kind = registrantKind(app.registeredVia);
  // A document's app has its URL as id (draft-ietf-oauth-client-id-metadata-document §8.5: show its host).
  if (kind === 'document') return { kind, host: URL.canParse(app.id) ? new URL(app.id).host : app.id };
  if (kind !== 'user') return { kind };
  const owner = await services.user.get(app.userId);
  return { kind, username: owner ? owner.username : undefined };
}
