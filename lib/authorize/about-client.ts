import type { Client } from '../clients/client';
import { Registrant, registrantOf } from '../clients/registrant';
import type { EgServices } from '../eg/types';
import { redirectHost } from './redirect-host';

/** What the consent page tells about an app besides its name, which anyone may choose. */
export interface AboutClient {
  registrant: Registrant;
  /** The host the code or token is sent to; absent in the device flow, where the device polls for it. */
  redirectHost?: string;
}

/** The consent page's facts about the app: who registered it and, in a redirect flow, where the answer goes. */
export async function aboutClient(services: EgServices, client: Client, redirectUri?: string): Promise<AboutClient> {
  const registrant = await registrantOf(services, client.app);
  return redirectUri ? { registrant, redirectHost: redirectHost(redirectUri) } : { registrant };
}
