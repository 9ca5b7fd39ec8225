import type { DocumentClients } from '../client-documents/document-clients';
import type { Client } from '../clients/client';
import { Registrant, registrantOf } from '../clients/registrant';
import type { EgServices } from '../eg/types';
import { redirectHost } from './redirect-host';

/** What the consent page tells about an app besides its name, which anyone may choose. */
export interface AboutClient {
  /** What the page calls the app: its name, or for a client ID metadata document the name it gives, else its host. */
  clientName: string;
  registrant: Registrant;
  /** The host the code or token is sent to; absent in the device flow, where the device polls for it. */
  redirectHost?: string;
}

/** The consent page's facts about the app: who registered it and, in a redirect flow, where the answer goes. */
export async function aboutClient(
  services: EgServices,
  documents: DocumentClients,
  client: Client,
  redirectUri?: string
): Promise<AboutClient> {
  const registrant = await registrantOf(services, client.app);
  // A document's app is named by its URL; the name the document gives is shown beside its host, never alone.
  const clientName =
    registrant.kind === 'document' ? ((await documents.claimedName(client.id)) ?? registrant.host) : client.name;
  return redirectUri ? { clientName, registrant, redirectHost: redirectHost(redirectUri) } : { clientName, registrant };
}
