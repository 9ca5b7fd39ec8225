import { keep } from './process-state';
import type { RevocationEvent } from '../store/revocation-feed';

type Announce = (event: RevocationEvent) => void;
type Method = (...args: any[]) => unknown;

/** Which EG service calls change what a cached token or a remembered secret depends on, and what they name. */
const WATCHED: Record<string, Record<string, (...args: string[]) => RevocationEvent>> = {
  application: {
    deactivate: (id) => ({ apps: [id] }),
    remove: (id) => ({ apps: [id] }),
    update: (id) => ({ apps: [id] }),
    // By owner: EG cascades a user's deactivation and removal to the apps the user owns.
    deactivateAll: (userId) => ({ owners: [userId] }),
    removeAll: (userId) => ({ owners: [userId] })
  },
  user: {
    deactivate: (id) => ({ users: [id], owners: [id] }),
    remove: (id) => ({ users: [id], owners: [id] }),
    update: (id) => ({ users: [id] })
  },
  credential: {
    // A credential is named by its consumer's id, an app's (oauth2) or a user's (basic-auth).
    deactivateCredential: (id) => ({ apps: [id], users: [id] }),
    updateCredential: (id) => ({ apps: [id], users: [id] }),
    removeCredential: (id) => ({ apps: [id], users: [id] }),
    removeAllCredentials: (id) => ({ apps: [id], users: [id] })
  }
};

const WRAPPED = Symbol('oauth2 plugin: announces consumer changes');

/**
 * Where the wrapped services announce: the latest init's feed (kept in lib/eg/process-state.ts, as all process-wide
 * state).
 */
const announcer = () =>
  keep(
    'consumer change announcer',
    '',
    () => ({ announce: (() => undefined) as Announce }),
    () => undefined
  );

/**
 * Makes every change to an app, user or credential made through EG's services
 * (its admin API, hence the `eg` CLI, and this plugin's own pages) announced on
 * the revocation feed, so that every gateway instance drops the tokens it
 * keeps validated and the secrets it remembers for that consumer at once.
 * The announcement follows the change, whether or not the call succeeded
 * (a failed call may have changed part of it). EG re-runs plugin init on hot
 * reload: the services are wrapped once and the latest feed is used.
 */
export function announceConsumerChanges(services: object, publish: Announce): void {
  announcer().announce = publish;
  for (const [serviceName, methods] of Object.entries(WATCHED)) {
    const service = (services as Record<string, Record<string, Method & { [WRAPPED]?: true }>>)[serviceName];
    if (!service) continue;
    for (const [methodName, describe] of Object.entries(methods)) {
      const original = service[methodName];
      if (typeof original !== 'function' || original[WRAPPED]) continue;
      const wrapped = function (this: unknown, ...args: unknown[]) {
        const tell = () => {
          if (typeof args[0] === 'string') announcer().announce(describe(...(args as string[])));
        };
        let result: unknown;
        try {
          result = original.apply(this, args);
        } catch (err) {
          tell();
          throw err;
        }
        if (result instanceof Promise) return result.finally(tell);
        tell();
        return result;
      };
      service[methodName] = Object.assign(wrapped, { [WRAPPED]: true as const });
    }
  }
}
