import { timingSafeEqual } from 'crypto';
import type { StoreConnection } from './store-connection';
import { digest } from '../secret-value';

/** What a dynamic registration keeps beside its EG app. */
export interface StoredRegistration {
  /** Epoch seconds (RFC 7591 client_id_issued_at). */
  issuedAt: number;
  /** Registered metadata EG's app model has no property for, by RFC 7591 names. */
  metadata: Record<string, unknown>;
}

/**
 * The part of a dynamically registered client that EG's app model cannot
 * hold, under `client-metadata:<client_id>`: the digest of its registration
 * access token (RFC 7592 §1.2), when it was registered, and the metadata
 * that is only shown back (response_types, client_uri, contacts...).
 */
export class ClientMetadataStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private key(clientId: string): string {
    return `${this.prefix}client-metadata:${clientId}`;
  }

  async save(clientId: string, registrationToken: string, registration: StoredRegistration): Promise<void> {
    await this.db.hmset(this.key(clientId), {
      token: digest(registrationToken),
      issuedAt: String(registration.issuedAt),
      metadata: JSON.stringify(registration.metadata)
    });
  }

  async replaceMetadata(clientId: string, metadata: Record<string, unknown>): Promise<void> {
    await this.db.hset(this.key(clientId), 'metadata', JSON.stringify(metadata));
  }

  /**
   * The registration, if `registrationToken` is its registration access
   * token; null otherwise, whether the client is unknown or the token is
   * another's (RFC 7592 §2: the caller must not learn which).
   */
  async readWith(clientId: string, registrationToken: string): Promise<StoredRegistration | null> {
    if (typeof clientId !== 'string' || !clientId || clientId.length > 200) return null;
    const [token, issuedAt, metadata] = await this.db.hmget(this.key(clientId), 'token', 'issuedAt', 'metadata');
    if (!token || !metadata) return null;
    const given = Buffer.from(digest(registrationToken));
    const stored = Buffer.from(token);
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
    return { issuedAt: Number(issuedAt), metadata: JSON.parse(metadata) };
  }

  async remove(clientId: string): Promise<void> {
    await this.db.del(this.key(clientId));
  }
}
