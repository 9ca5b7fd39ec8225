import { senderConstraint } from './password.exchange';
import { DEVICE_CODE } from '../../schemas/settings.schema';
import type { DeviceStore } from '../device/device.store';
import {
  AuthorizationPending,
  DeviceAccessDenied,
  ExpiredToken,
  InvalidGrant,
  InvalidRequest,
  SlowDown
} from '../errors';
import { splitScopes } from '../scopes';
import type { AccessRevocations } from '../connected-apps/access-revocations';
import type { Settings } from '../settings';
import type { TokenIssuer } from '../tokens/token.issuer';
import { extensionExchange } from './extension.exchange';

/**
 * Device access token request (RFC 8628 §3.4, §3.5): the device polls with
 * its device code until the user decided. Answers authorization_pending
 * while undecided, slow_down (and a 5 s longer interval) when polled faster
 * than the interval, access_denied, expired_token; once approved, the first
 * poll gets the tokens and the device code is spent.
 */
export function deviceCodeExchange({
  devices,
  issuer,
  settings,
  accessRevocations,
  withRefreshToken
}: {
  devices: DeviceStore;
  issuer: TokenIssuer;
  settings: Settings;
  accessRevocations: AccessRevocations;
  withRefreshToken: boolean;
}) {
  return extensionExchange(async function issueForDevice(client, body, info) {
    issuer.assertSubjectsGiven(client.app); // before the device code is spent
    if (typeof body.device_code !== 'string' || !body.device_code)
      throw new InvalidRequest('The device_code parameter is missing');
    const found = await devices.poll(body.device_code, client.id);
    if (!found) throw new InvalidGrant('The device code is not valid for this client');
    const { id, record } = found;
    const now = Date.now();
    if (record.redeemedAt) throw new InvalidGrant('The device code was already used');
    if (now >= record.expiresAt)
      throw new ExpiredToken('The device code has expired; start a new device authorization');
    if (record.status === 'denied') throw new DeviceAccessDenied('The user denied the authorization request');
    if (record.status === 'pending') {
      if (record.lastPollAt && now - record.lastPollAt < record.interval * 1000) {
        await devices.slowDown(id);
        throw new SlowDown(`Polling too fast: wait at least ${record.interval + 5} seconds between requests`);
      }
      throw new AuthorizationPending('The user has not yet completed the authorization');
    }
    // Started before the user took the app's access back on the "Connected apps" page: its approval went with it.
    const startedAt = record.expiresAt - settings.device.ttl * 1000;
    if (await accessRevocations.revokedSince(record.userId, client.id, startedAt))
      throw new InvalidGrant("The user revoked this application's access since approving this device code");
    // RFC 8707 §2.2: fewer of the resources the user approved, never others; refused before the device code is spent.
    const granted = splitScopes(record.resources);
    const resources = info.resources.within(granted);
    if (!(await devices.redeem(id))) throw new InvalidGrant('The device code was already used');
    const scopes = splitScopes(record.scope);
    return issuer.issue({
      ...senderConstraint(info),
      grantType: DEVICE_CODE,
      app: client.app,
      user: { id: record.userId, username: record.username },
      scopes,
      resources,
      grantResources: granted,
      refresh: withRefreshToken ? { scopes } : null
    });
  });
}
