import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import type { EgLogger, EgServices } from '../eg/types';
import { InvalidGrant, InvalidScope } from '../errors';
import { shownScope, splitScopes } from '../scopes';
import type { Settings } from '../settings';
import type { TokenStore } from '../store/token.store';
import type { TokenIssuer } from '../tokens/token.issuer';
import { IssuedCallback, settle } from './settle';

interface Deps { issuer: TokenIssuer; store: TokenStore; services: EgServices; settings: Settings; logger: EgLogger }

const UNKNOWN = 'The refresh token is invalid, expired or revoked';

/**
 * Refresh token grant (RFC 6749 §6). The new access token may carry fewer
 * scopes than the grant, never more. No refresh works once the grant is
 * refreshToken.maxLifetime old, however often it was rotated. With rotation
 * on, each refresh token works once; presenting a used one again means it
 * leaked, so the whole grant is revoked (RFC 9700 §4.14.2).
 */
export function refreshTokenExchange({ issuer, store, services, settings, logger }: Deps) {
  return oauth2orize.exchange.refreshToken(
    function refresh(client: Client, refreshToken: string, scope: string[] | undefined, done: IssuedCallback) {
      settle(async () => {
        const record = await store.findRefreshToken(refreshToken);
        const now = Math.floor(Date.now() / 1000);
        if (!record || record.appId !== client.id || record.exp <= now) throw new InvalidGrant(UNKNOWN);
        // New refresh tokens expire with their grant; this catches those written before maxLifetime existed.
        if (record.grantStart + settings.refreshToken.maxLifetime <= now) {
          throw new InvalidGrant('The grant has reached its maximum lifetime; the resource owner must authorize again');
        }

        const granted = splitScopes(record.scope);
        const requested = scope ? [...new Set(scope)] : granted;
        const widened = requested.find((s) => !granted.includes(s));
        if (widened) throw new InvalidScope(`The scope "${shownScope(widened)}" exceeds the scope of the refresh token`);
        // A scope the client's credential has lost since the grant is not renewed.
        const scopes = requested.filter((s) => client.scopes.includes(s));

        let user = null;
        if (record.userId) {
          const found = await services.user.get(record.userId);
          if (!found || !found.isActive) throw new InvalidGrant('The resource owner of this grant is no longer active');
          user = { id: found.id, username: found.username };
        }

        // Public clients' refresh tokens are not sender-constrained: they always rotate (RFC 9700 §4.14.2).
        const rotate = settings.refreshToken.rotate || client.isPublic;
        if (rotate) {
          const use = record.usedAt ? 'replayed' : await store.markRefreshTokenUsed(refreshToken, now);
          if (use === 'gone') throw new InvalidGrant(UNKNOWN);
          if (use === 'replayed') {
            await store.revokeGrant(record.grantId);
            logger.warn(`oauth2: refresh token of grant ${record.grantId} (client ${client.id}) replayed; grant revoked`);
            throw new InvalidGrant('The refresh token was already used; every token of its grant is revoked');
          }
        }

        return issuer.issue({
          grantType: record.grantType,
          grantId: record.grantId,
          grantStartedAt: record.grantStart,
          appId: client.id,
          user,
          scopes,
          redirectUri: record.redirectUri,
          refresh: rotate ? { scopes: granted } : null,
          grantKeptUntil: rotate ? 0 : record.exp
        });
      }, done);
    }
  );
}
