import { fetchClientUrl } from '../client-urls/client-url-fetch';
import type { Client } from '../clients/client';
import { findClient, isUsableRedirectUri } from '../clients/client.repository';
import type { EgLogger, EgServices } from '../eg/types';
import type { Settings } from '../settings';
import type { StoreConnection } from '../store/store-connection';
import type { IdTokens } from './id-tokens';

/**
 * The clients a sign-in (its `sid`) handed ID tokens to, in Redis so that
 * any instance can tell them when it ends; kept as long as a session lives.
 */
export class SessionClients {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string,
    private readonly ttl: number
  ) {}

  private key(sid: string): string {
    return `${this.prefix}sid-clients:${sid}`;
  }

  async remember(sid: string, clientId: string): Promise<void> {
    const key = this.key(sid);
    await this.db.multi().sadd(key, clientId).expire(key, this.ttl).exec();
  }

  /** The clients of a sign-in that has ended, forgotten at once: each is told once. */
  async takeAll(sid: string): Promise<string[]> {
    const key = this.key(sid);
    const [[, clients]] = (await this.db.multi().smembers(key).del(key).exec()) as [[null, string[]], unknown];
    return clients;
  }
}

/** The app property naming where a client hears of sign-outs (Back-Channel Logout 1.0 §2.2). */
export function backchannelLogoutUri(client: Client): string | undefined {
  const uri = client.app.backchannelLogoutUri;
  return isUsableRedirectUri(uri) ? uri : undefined;
}

/** Waits between the attempts of one notification: a client down for a moment still hears of the sign-out. */
const RETRY_DELAYS_MS = [1000, 5000, 15000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * OpenID Connect Back-Channel Logout 1.0: when a user signs out, each client
 * their sign-in gave ID tokens to, that registered `backchannelLogoutUri`,
 * is sent a signed logout token (§2.4) naming the user and the sign-in, by
 * POST from the gateway (§2.5), retried a few times, in the background: the
 * user's sign-out never waits for a client. The URI is fetched under
 * `clientUrls` like every URL an app supplies.
 */
export class BackchannelLogout {
  constructor(
    private readonly sessions: SessionClients,
    private readonly idTokens: IdTokens,
    private readonly services: EgServices,
    private readonly settings: Settings,
    private readonly logger: EgLogger
  ) {}

  /** Tells the clients of the sign-in `sid` of user `sub` that it ended; returns at once and never throws. */
  signedOut(sid: string, sub: string): void {
    this.sessions
      .takeAll(sid)
      .then((clients) => Promise.all(clients.map((clientId) => this.tell(clientId, sid, sub))))
      .catch((err: Error) => this.logger.warn(`oauth2: back-channel logout of sign-in ${sid}: ${err.message}`));
  }

  private async tell(clientId: string, sid: string, sub: string): Promise<void> {
    const client = await findClient(this.services, clientId, 'none');
    const uri = client && backchannelLogoutUri(client);
    if (!uri) return;
    const token = await this.idTokens.signLogoutToken({ clientId, sid, sub });
    let failure = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      try {
        const answer = await fetchClientUrl(uri, this.settings.clientUrls, 4096, { logout_token: token });
        if (answer.status === 200 || answer.status === 204) return; // §2.8: 200 OK (or 204) once logged out
        failure = `answered ${answer.status}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay !== undefined) await sleep(delay);
    }
    this.logger.warn(`oauth2: back-channel logout of client ${clientId} failed (${failure}); it was not told`);
  }
}
