import type { Request } from 'express';

/** Credentials to show on the next page view, then never again. */
export interface Reveal {
  clientId: string;
  name: string;
  /** Absent for a public client, which has none. */
  secret?: string;
  reason: 'registered' | 'rotated';
  /** When it was kept (ms): a page not fetched soon after is not shown at all. */
  at: number;
}

declare module 'express-session' {
  interface SessionData {
    /** The credentials of an app just registered or rotated, awaiting their single display. */
    revealOnce?: Reveal;
  }
}

/** The redirect after the form post must follow at once; a reveal older than this is dropped unseen. */
const REVEAL_WINDOW_MS = 60_000;

/**
 * The secret is shown after a POST-redirect-GET, so that neither a reload
 * nor the back button posts the form again (a second app, a second
 * rotation). It waits in the session only until that GET, which takes it out.
 */
export function keepForOneShow(req: Request, reveal: Omit<Reveal, 'at'>): void {
  req.session.revealOnce = { ...reveal, at: Date.now() };
}

/** The pending reveal, taken out of the session (express-session stores that before the page is sent). */
export function takeReveal(req: Request): Reveal | undefined {
  const reveal = req.session.revealOnce;
  delete req.session.revealOnce;
  return reveal && Date.now() - reveal.at <= REVEAL_WINDOW_MS ? reveal : undefined;
}
