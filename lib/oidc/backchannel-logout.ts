import { fetchClientUrl } from '../client-urls/client-url-fetch';
import type { Client } from '../clients/client';
import { findClient, isUsableRedirectUri } from '../clients/client.repository';
import type { EgLogger, EgServices } from '../eg/types';
import type { Settings } from '../settings';
import type { TokenStore } from '../store/token.store';
import type { IdTokens } from './id-tokens';
import type { SessionClients } from './session-clients';

/** The app property naming where a client hears of sign-outs (Back-Channel Logout 1.0 §2.2). */
export function backchannelLogoutUri(client: Client): string | undefined {
  const uri = client.app.backchannelLogoutUri;
  return isUsableRedirectUri(uri) ? uri : undefined;
}

/** Waits between the attempts of one notification: a client down for a moment still hears of the sign-out. */
const RETRY_DELAYS_MS = [1000, 5000, 15000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An answer that a retry would only get again: the client refused the token itself (§2.8: 400). */
const isFinal = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * OpenID Connect Back-Channel Logout 1.0: when a user signs out, the grants
 * their sign-in started with ID tokens end (§2.7), but for those given
 * offline_access (Core §11), and each client of them that registered
 * `backchannelLogoutUri` is sent a signed logout token (§2.4) naming the user
 * and the sign-in, by POST from the gateway (§2.5), retried a few times, in
 * the background: the user's sign-out never waits for a client. The URI is
 * fetched under `clientUrls` like every URL an app supplies.
 */
export class BackchannelLogout {
  constructor(
    private readonly sessions: SessionClients,
    private readonly store: TokenStore,
    private readonly idTokens: IdTokens,
    private readonly services: EgServices,
    private readonly settings: Settings,
    private readonly logger: EgLogger
  ) {}

  /** Ends the sign-in `sid` of the user: its grants, then its clients are told; returns at once, never throws. */
  signedOut(sid: string, userId: string): void {
    this.end(sid, userId).catch((err: Error) =>
      this.logger.warn(`oauth2: back-channel logout of sign-in ${sid}: ${err.message}`)
    );
  }

  private async end(sid: string, userId: string): Promise<void> {
    const grants = [...(await this.sessions.end(sid))];
    const ending = grants.filter(([, grant]) => !grant.offline).map(([grantId]) => grantId);
    await Promise.all(ending.map((grantId) => this.store.revokeGrant(grantId)));
    const clients = new Set(grants.map(([, grant]) => grant.clientId));
    await Promise.all([...clients].map((clientId) => this.tell(clientId, userId, sid)));
  }

  /**
   * The user took the client's access away (the "Connected apps" page): it is told that every session of the
   * user there ends, by a logout token naming the user and no sign-in (§2.4); returns at once, never throws.
   */
  accessRevoked(clientId: string, userId: string): void {
    this.tell(clientId, userId, undefined).catch((err: Error) =>
      this.logger.warn(`oauth2: back-channel logout of user ${userId} at client ${clientId}: ${err.message}`)
    );
  }

  /** @param sid undefined: every session of the user at the client ends, which a client needing a sid cannot act on. */
  private async tell(clientId: string, userId: string, sid: string | undefined): Promise<void> {
    const client = await findClient(this.services, clientId, 'none');
    const uri = client && backchannelLogoutUri(client);
    if (!uri || (sid === undefined && client.app.backchannelLogoutSessionRequired === 'true')) return;
    try {
      this.idTokens.subjects.assertGiven(client.app); // a token that cannot be signed is not retried
    } catch (err) {
      return this.logger.warn(`oauth2: back-channel logout of client ${clientId} not sent: ${(err as Error).message}`);
    }
    let failure = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      try {
        // Signed afresh for each attempt: a token is short-lived, and a slow client must not get an expired one.
        const token = await this.idTokens.signLogoutToken({ app: client.app, sid, userId });
        const answer = await fetchClientUrl(uri, this.settings.clientUrls, 0, { logout_token: token });
        if (answer.status === 200 || answer.status === 204) return; // §2.8: 200 OK (or 204) once logged out
        failure = `answered ${answer.status}`;
        if (isFinal(answer.status)) break;
      } catch (err) {
        failure = (err as Error).message;
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay !== undefined) await sleep(delay);
    }
    this.logger.warn(`oauth2: back-channel logout of client ${clientId} failed (${failure}); it was not told`);
  }
}
