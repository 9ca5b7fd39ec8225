import { LoginRequired } from '../errors';
import type { StoreConnection } from '../store/store-connection';

/** A grant a sign-in started: to which client, and whether it outlives the sign-in (offline_access). */
export interface SignInGrant {
  clientId: string;
  offline: boolean;
}

/** A field of a sign-in's hash that no grant id can be (they are base64url): the sign-in has ended. */
const ENDED = '~ended';

/**
 * The grants a sign-in (its `sid`) gave ID tokens with, and to which client,
 * in one Redis hash per sign-in (grant id → SignInGrant; one key, so one slot
 * on a cluster), so that any instance can end them and tell the clients when
 * the user signs out. It lives as long as a grant of it can; once the
 * sign-in has ended it keeps only a mark, as long as a code issued before
 * could still be exchanged, so that such a code starts no grant of a
 * sign-in that is over.
 */
export class SessionClients {
  /**
   * @param ttl seconds a sign-in's record lives after its last grant: the longest a grant of it may live.
   * @param endedTtl seconds the mark of an ended sign-in lives: at least an authorization code's life.
   */
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly ttl: number,
    private readonly endedTtl: number
  ) {}

  private key(sid: string): string {
    return `${this.prefix}sid-grants:${sid}`;
  }

  /**
   * Records that the sign-in `sid` starts grant `grantId` for a client; `offline`: the grant outlives the sign-in
   * (offline_access), whose end the client still hears of. False when the sign-in has ended.
   */
  async remember(sid: string, clientId: string, grantId: string, offline: boolean): Promise<boolean> {
    const key = this.key(sid);
    const [[, ended]] = (await this.db
      .multi()
      .hexists(key, ENDED)
      .hsetnx(key, grantId, JSON.stringify({ clientId, offline } satisfies SignInGrant))
      .expire(key, this.ttl)
      .exec()) as [[null, number], ...unknown[]];
    if (ended === 1) {
      // The sign-in ended: keep only its mark, for as long as it was kept.
      await this.db.multi().hdel(key, grantId).expire(key, this.endedTtl).exec();
      return false;
    }
    return true;
  }

  /**
   * Records that the sign-in `sid` gave a client an ID token with no grant of its own (response type id_token, or a
   * hybrid code not yet exchanged): the client hears when it ends. One entry per client, whatever how often; it ends
   * no grant (offline), and its field is no grant id (`~`, as the ended mark).
   */
  rememberClient(sid: string, clientId: string): Promise<boolean> {
    return this.remember(sid, clientId, `~client:${clientId}`, true);
  }

  /**
   * A front-channel answer joins the sign-in `sid` (Back-Channel Logout 1.0 §2.7): an access token's grant ends with it
   * (never offline: Core §11 keeps offline_access to a code's exchange), and an ID token with no grant of its own
   * (`grantId` null) has its client told, once per sign-in.
   * @throws LoginRequired when the sign-in ended meanwhile.
   */
  async join(sid: string, clientId: string, grantId: string | null): Promise<void> {
    const joined =
      grantId === null ? await this.rememberClient(sid, clientId) : await this.remember(sid, clientId, grantId, false);
    if (!joined) throw new LoginRequired('The user has signed out');
  }

  /** The grants of a sign-in that has ended, by grant id, forgotten at once: each is ended once. */
  async end(sid: string): Promise<Map<string, SignInGrant>> {
    const key = this.key(sid);
    const [[, grants]] = (await this.db
      .multi()
      .hgetall(key)
      .del(key)
      .hset(key, ENDED, '1')
      .expire(key, this.endedTtl)
      .exec()) as [[null, Record<string, string>], ...unknown[]];
    const started = Object.entries(grants ?? {}).filter(([grantId]) => grantId !== ENDED);
    return new Map(started.map(([grantId, value]) => [grantId, JSON.parse(value) as SignInGrant]));
  }
}
