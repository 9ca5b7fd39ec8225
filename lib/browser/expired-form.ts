import type { Response } from 'express';
import type { SendPage } from './pages';

/**
 * A form whose CSRF token did not check (csrf-sync's EBADCSRFTOKEN: it was
 * open too long, or posted from another site): the 403 page every form
 * of the plugin answers with.
 * @returns whether `err` was that, and answered.
 */
export function answeredExpiredForm(err: unknown, res: Response, sendPage: SendPage): boolean {
  if ((err as { code?: unknown } | null)?.code !== 'EBADCSRFTOKEN') return false;
  sendPage(res, 403, 'error', { title: 'Form expired', message: (err as Error).message });
  return true;
}
