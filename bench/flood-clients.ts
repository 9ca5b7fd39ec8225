import type { AdminClient } from '../support/admin-client';
import { API_SCOPE } from './gateways';

/** Admin calls at once: EG hashes each secret with bcrypt on its event loop, so more would not go faster. */
const CONCURRENCY = 4;

/**
 * `count` confidential clients for the floods to send wrong secrets for,
 * owned by `ownerId`. Their secrets are hashed at EG's cost like any
 * other's: a wrong guess costs the gateway what it would in a deployment.
 * @returns their client ids.
 */
export async function seedFloodClients(admin: AdminClient, ownerId: string, count: number): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      ids[n] = (await admin.registerClient({ name: `flood-target-${n}`, userId: ownerId }, [API_SCOPE])).id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return ids;
}
