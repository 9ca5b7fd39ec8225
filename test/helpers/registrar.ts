import type { World } from './world';

/**
 * The operator's registrar: an app of the world's developer holding the `client_registration` scope (made when
 * missing) and `scopes`, and a client_credentials token of it, which dynamic registration takes as its initial access
 * token (RFC 7591 §3).
 */
export async function registrar(
  world: World,
  scopes: string[] = []
): Promise<{ app: { id: string; secret: string }; token: string }> {
  const known = await world.gateway.admin.listScopes();
  const missing = ['client_registration', ...scopes].filter((scope) => !known.includes(scope));
  if (missing.length > 0) await world.gateway.admin.createScopes(missing);
  const app = await world.gateway.admin.registerClient({ name: 'registrar', userId: world.developer.id }, [
    'client_registration',
    ...scopes
  ]);
  const res = await world.token({ grant_type: 'client_credentials', scope: 'client_registration' }, app);
  return { app, token: res.json.access_token as string };
}
