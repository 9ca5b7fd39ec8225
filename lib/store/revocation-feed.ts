import type { StoreConnection } from './store-connection';
import type { EgLogger } from '../eg/types';
import { ChangeFeed } from './change-feed';

/**
 * What was revoked or changed: token digests, JWT ids, grant ids, or
 * everything of an app, of a user, or of the apps a user owns; or guessing
 * counters that just locked (`<kind>:<subject>`, see GuessingGuard).
 */
export interface RevocationEvent {
  tokens?: string[];
  jtis?: string[];
  grants?: string[];
  apps?: string[];
  users?: string[];
  owners?: string[];
  locks?: string[];
}

/** Revocations, told to every gateway instance so that what each caches about a token is dropped at once. */
export type RevocationFeed = ChangeFeed<RevocationEvent>;

export function revocationFeed(
  db: StoreConnection,
  prefix: string,
  emulated: boolean,
  logger: EgLogger
): RevocationFeed {
  return ChangeFeed.for<RevocationEvent>(db, `${prefix}revocations`, emulated, logger, 'token caches');
}
