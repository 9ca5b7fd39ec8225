import { digest, randomSecret } from '../secret-value';
import type { StoreConnection } from './store-connection';

/** RFC 9126 §2.2: the request_uri a pushed request is referred to by, a URN of this prefix and a random value. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** The parameters of an authorization request, as the PAR endpoint took them (`resource` may repeat). */
export type PushedParams = Record<string, string | string[]>;

/** A pushed authorization request, as stored: whose it is, and what it asks. */
export interface PushedRequest {
  clientId: string;
  params: PushedParams;
}

/** How long each part lives, seconds. */
export interface PushedLifetimes {
  /** Until it is first opened at the authorization endpoint (`par.ttl`, the `expires_in` the client is told). */
  ttl: number;
  /** Once opened: as long as a visitor may take to sign in. */
  opened: number;
  /** The mark of its use: as long as any page that could answer it again (a consent page in a session) lives. */
  used: number;
}

/**
 * Pushed authorization requests (RFC 9126), under the SHA-256 digest of their request_uri. A request must be opened
 * at the authorization endpoint within `ttl`; the first opening stretches it to `opened` once (a visitor signs in
 * first, then comes back) and is remembered, so that a sign-in made after it answers the request's prompt=login or
 * max_age. A request_uri is used once (§4, §7.3): its use is marked, on every instance, when the user's decision is
 * answered, not when the page loads; the mark outlives every page that could answer it.
 */
export class PushedRequestStore {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly lifetimes: PushedLifetimes
  ) {}

  private keys(requestUri: string) {
    const id = digest(requestUri);
    const at = (kind: string) => `${this.prefix}${kind}:${id}`;
    return { request: at('par'), opened: at('par-opened'), used: at('par-used') };
  }

  /** Keeps a checked request. @returns its request_uri. */
  async save(request: PushedRequest): Promise<string> {
    const requestUri = REQUEST_URI_PREFIX + randomSecret();
    await this.db.set(this.keys(requestUri).request, JSON.stringify(request), 'EX', this.lifetimes.ttl);
    return requestUri;
  }

  /**
   * Opens the request a request_uri refers to: null when unknown, expired or used.
   * @returns the request and when it was first opened, epoch seconds.
   */
  async open(requestUri: string): Promise<(PushedRequest & { openedAt: number }) | null> {
    if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 200) return null;
    const keys = this.keys(requestUri);
    const [stored, used] = await Promise.all([this.db.get(keys.request), this.db.get(keys.used)]);
    if (!stored || used) return null;
    const now = Math.floor(Date.now() / 1000);
    const first = (await this.db.set(keys.opened, String(now), 'EX', this.lifetimes.opened, 'NX')) === 'OK';
    if (first) await this.db.expire(keys.request, this.lifetimes.opened);
    const openedAt = first ? now : Number(await this.db.get(keys.opened)) || now;
    return { ...(JSON.parse(stored) as PushedRequest), openedAt };
  }

  /** Marks the request_uri used. @returns false when it was used before. */
  async use(requestUri: string): Promise<boolean> {
    return (await this.db.set(this.keys(requestUri).used, '1', 'EX', this.lifetimes.used, 'NX')) === 'OK';
  }
}
