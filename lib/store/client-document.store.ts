import type { StoreConnection } from './store-connection';

/** What is kept of a client ID metadata document beside the EG app made from it. */
export interface KeptDocument {
  /** Epoch milliseconds until which the document is used without fetching it again. */
  freshUntil: number;
  /** The document's client_name, unverified: the consent page shows it beside the host. */
  claimedName?: string | undefined;
}

/** A week past its freshness: a stale document's name still shows on the connected apps page. */
const KEPT_PAST_FRESHNESS_S = 7 * 24 * 3600;

/**
 * Client ID metadata documents as last fetched, under `client-document:<client_id>`, in one
 * JSON value (a key of its own, so it is one slot on a cluster): when to fetch again, and the
 * name the document gives, which EG's app model keeps nowhere (the app's name is its URL).
 */
export class ClientDocumentStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private key(clientId: string): string {
    return `${this.prefix}client-document:${clientId}`;
  }

  async read(clientId: string): Promise<KeptDocument | null> {
    const value = await this.db.get(this.key(clientId));
    if (!value) return null;
    try {
      const kept = JSON.parse(value) as KeptDocument;
      return typeof kept.freshUntil === 'number' ? kept : null;
    } catch {
      return null;
    }
  }

  async save(clientId: string, kept: KeptDocument): Promise<void> {
    const seconds = Math.max(1, Math.ceil((kept.freshUntil - Date.now()) / 1000)) + KEPT_PAST_FRESHNESS_S;
    await this.db.set(this.key(clientId), JSON.stringify(kept), 'EX', seconds);
  }

  async remove(clientId: string): Promise<void> {
    await this.db.del(this.key(clientId));
  }
}
