import type { Request } from 'express';
import type { StoreConnection } from '../store/store-connection';
import type { SessionUser } from '../browser/session';
import { digest, randomSecret } from '../secret-value';

/** Credentials to show on the next page view, then never again. */
export interface Reveal {
  clientId: string;
  name: string;
  /** Absent for a public client, which has none. */
  secret?: string | undefined;
  reason: 'registered' | 'rotated';
}

declare module 'express-session' {
  interface SessionData {
    /**
     * Names the credentials of an app just registered or rotated, awaiting their single display (never the secret
     * itself).
     */
    revealId?: string;
  }
}

/** The redirect after the form post follows at once: a reveal not fetched within this window is gone unseen. */
const REVEAL_WINDOW_SECONDS = 60;

/**
 * The secret is shown after a POST-redirect-GET, so that neither a reload
 * nor the back button posts the form again (a second app, a second
 * rotation). Between the two it waits in Redis under a key of its own that
 * expires with the window, not in the session record (which lives as long
 * as the session): the session holds only an unguessable id, and the key is
 * its digest. The GET takes it out atomically, for the user who made it.
 */
export class RevealOnce {
  constructor(
    private readonly db: StoreConnection,
    private readonly prefix: string
  ) {}

  private key(id: string): string {
    return `${this.prefix}reveal:${digest(id)}`;
  }

  /** Keeps the credentials for the signed-in user's next view of the credentials page. */
  async keep(req: Request, reveal: Reveal): Promise<void> {
    const id = randomSecret();
    const userId = (req.user as SessionUser).id;
    await this.db.set(this.key(id), JSON.stringify({ ...reveal, userId }), 'EX', REVEAL_WINDOW_SECONDS);
    req.session.revealId = id;
  }

  /** The pending reveal, read and deleted in one step, so that two page loads at once cannot both show it. */
  async take(req: Request): Promise<Reveal | undefined> {
    const id = req.session.revealId;
    delete req.session.revealId;
    if (typeof id !== 'string') return undefined;
    const key = this.key(id);
    const [[readError, stored]] = (await this.db.multi().get(key).del(key).exec()) as [
      [Error | null, string | null],
      unknown
    ];
    if (readError) throw readError;
    if (!stored) return undefined;
    const { userId, ...reveal } = JSON.parse(stored) as Reveal & { userId: string };
    return userId === (req.user as SessionUser).id ? reveal : undefined;
  }
}
