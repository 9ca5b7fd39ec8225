import type { EgServices, EgUser } from '../eg/types';

/**
 * The user a name stands for, where either an id or a username is
 * accepted: tried as `first` says, then the other way. Null when neither names one.
 */
export async function findUser(
  services: EgServices,
  idOrUsername: string,
  first: 'id' | 'username'
): Promise<EgUser | null> {
  const byId = () => services.user.get(idOrUsername);
  const byName = () => services.user.find(idOrUsername);
  const [one, other] = first === 'id' ? [byId, byName] : [byName, byId];
  return (await one()) || (await other()) || null;
}
