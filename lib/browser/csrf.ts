import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

/**
 * CSRF protection of every form (synchronizer token in the session,
 * csrf-sync): forms carry it as the `_csrf` field.
 */
export function csrfProtection() {
  return csrfSync({
    getTokenFromRequest: (req: Request) => (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined),
    errorConfig: {
      statusCode: 403,
      message: 'The form has expired or was not sent by this site. Go back and try again.',
      code: 'EBADCSRFTOKEN'
    }
  });
}
