import type { GuessingGuard } from '../credentials/guessing-guard';
import { quotedForLog } from '../eg/one-line-logger';
import type { EgServices } from '../eg/types';
import { InvalidClient } from '../errors';
import type { Settings } from '../settings';
import type { Client, ClientAuthMethod } from './client';
import { findClientWithSecretHash } from './client.repository';

/** Past a limit of failed client authentications: refused whatever the secret, for a while. */
export class ClientLocked extends InvalidClient {
  constructor(retryAfter: number) {
    super('Client authentication is locked after too many failed attempts; try again later');
    this.headers['Retry-After'] = String(retryAfter);
  }
}

/** Who is checking a client secret: the guard, its limits, and the client address the attempt counts for. */
export interface SecretCheck {
  guard: GuessingGuard;
  limits: Settings['clientAuth'];
  ip: string;
}

/**
 * Checks a client_id / client_secret pair against EG: the application must
 * exist and be active, and its oauth2 credential must be active and hold the
 * secret (checked against EG's stored bcrypt hash, or recalled from a recent
 * check of that same hash). Failures are counted per client and per client
 * IP before any bcrypt (GuessingGuard); an unknown client counts for its IP
 * only, so nobody can fill Redis with counters of made-up client ids.
 * @returns the client, or null for any mismatch (the caller must not say which).
 * @throws ClientLocked past a limit, right secret or not.
 */
export async function authenticateClient(
  services: EgServices,
  check: SecretCheck,
  clientId: string,
  secret: string,
  authMethod: ClientAuthMethod
): Promise<Client | null> {
  if (!clientId || typeof secret !== 'string' || !secret) return null;
  const found = await findClientWithSecretHash(services, clientId, authMethod);
  const usable =
    found && found.secretHash && !found.client.isPublic ? { client: found.client, hash: found.secretHash } : null;
  const byIp = {
    kind: 'client-ip',
    subject: check.ip,
    limit: check.limits.maxFailuresPerIp,
    onRight: 'forgive',
    named: `client authentication from IP ${quotedForLog(check.ip)}`
  } as const;
  const byClient = {
    kind: 'client',
    subject: clientId,
    limit: check.limits.maxFailuresPerClient,
    onRight: 'forgive',
    named: `client ${quotedForLog(clientId)}`
  } as const;
  const outcome = await check.guard.check({
    owner: 'app',
    account: usable && { id: usable.client.id, hash: usable.hash },
    secret,
    decoy: false,
    counters: usable ? [byClient, byIp] : [byIp]
  });
  if (outcome.result === 'locked') throw new ClientLocked(outcome.retryAfter);
  return outcome.result === 'right' ? usable!.client : null;
}
