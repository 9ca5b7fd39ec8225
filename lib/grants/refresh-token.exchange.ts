import oauth2orize from 'oauth2orize';
import type { Client } from '../clients/client';
import type { EgLogger, EgServices } from '../eg/types';
import { InvalidGrant, InvalidScope } from '../errors';
import { shownScope, splitScopes } from '../scopes';
import { stillGranted } from '../oidc/oidc-scopes';
import type { Settings } from '../settings';
import type { RefreshTokenRecord, TokenStore } from '../store/token.store';
import type { TokenIssuer } from '../tokens/token.issuer';
import { IssuedCallback, settle } from './settle';
import { senderConstraint, type TokenRequestInfo } from './password.exchange';

interface Deps {
  issuer: TokenIssuer;
  store: TokenStore;
  services: EgServices;
  settings: Settings;
  logger: EgLogger;
}

const UNKNOWN = 'The refresh token is invalid, expired or revoked';

/**
 * Retires a rotating refresh token at `clock` (epoch seconds, to the
 * millisecond). Its first use passes. A later one means the token leaked, so
 * the grant is revoked (RFC 9700 §4.14.2), unless it comes within
 * refreshToken.rotationGracePeriod of the first (two tabs, a retry after a
 * lost answer, two exactly concurrent requests): that one passes too. The
 * token's and grant's own lifetimes were checked before, so the grace never
 * outlives them.
 * @throws InvalidGrant for a replay, or a token revoked meanwhile.
 */
async function retire(
  refreshToken: string,
  record: RefreshTokenRecord,
  clock: number,
  { store, settings, logger }: Pick<Deps, 'store' | 'settings' | 'logger'>
): Promise<void> {
  const outcome =
    record.usedAt !== undefined
      ? { use: 'replayed' as const, usedAt: record.usedAt }
      : await store.markRefreshTokenUsed(refreshToken, clock);
  if (outcome.use === 'gone') throw new InvalidGrant(UNKNOWN);
  if (outcome.use === 'first') return;
  const grace = settings.refreshToken.rotationGracePeriod;
  if (grace > 0 && clock < outcome.usedAt + grace) {
    logger.debug(
      `oauth2: refresh token of grant ${record.grantId} (client ${record.appId}) presented again within rotationGracePeriod; answered`
    );
    return;
  }
  await store.revokeGrant(record.grantId);
  logger.warn(`oauth2: refresh token of grant ${record.grantId} (client ${record.appId}) replayed; grant revoked`);
  throw new InvalidGrant('The refresh token was already used; every token of its grant is revoked');
}

/**
 * Refresh token grant (RFC 6749 §6). The new access token may carry fewer
 * scopes than the grant, never more. No refresh works once the grant is
 * refreshToken.maxLifetime old, however often it was rotated. With rotation
 * on, each refresh token works once; presenting a used one again means it
 * leaked, so the whole grant is revoked (RFC 9700 §4.14.2), unless its own
 * client does so within refreshToken.rotationGracePeriod of the rotation
 * (two tabs, a retry after a lost answer): that request gets new tokens of
 * the same grant.
 */
export function refreshTokenExchange({ issuer, store, services, settings, logger }: Deps) {
  return oauth2orize.exchange.refreshToken(function refresh(
    client: Client,
    refreshToken: string,
    scope: string[] | undefined,
    _body: unknown,
    info: TokenRequestInfo,
    done: IssuedCallback
  ) {
    settle(async () => {
      issuer.assertSubjectsGiven(client.app);
      const record = await store.findRefreshToken(refreshToken);
      const clock = Date.now() / 1000;
      const now = Math.floor(clock);
      if (!record || record.appId !== client.id || record.exp <= now) throw new InvalidGrant(UNKNOWN);
      // RFC 9449 §5: a refresh token bound to a key is used only with a proof of that key.
      if (record.jkt && record.jkt !== info.dpopJkt)
        throw new InvalidGrant('This refresh token is bound to a DPoP key: send a DPoP proof of that key');
      // RFC 8705 §4: one bound to a certificate, only by a client presenting it.
      if (record.x5t && record.x5t !== info.certificate)
        throw new InvalidGrant('This refresh token is bound to a TLS client certificate: present that certificate');
      // New refresh tokens expire with their grant; this catches those written before maxLifetime existed.
      if (record.grantStart + settings.refreshToken.maxLifetime <= now) {
        throw new InvalidGrant('The grant has reached its maximum lifetime; the resource owner must authorize again');
      }

      const grantedScopes = splitScopes(record.scope);
      const requested = scope ? [...new Set(scope)] : grantedScopes;
      const widened = requested.find((s) => !grantedScopes.includes(s));
      if (widened) throw new InvalidScope(`The scope "${shownScope(widened)}" exceeds the scope of the refresh token`);
      // RFC 8707 §2.2: fewer of the grant's resources, never others.
      const granted = record.resources ? record.resources.split(' ') : [];
      const resources = info.resources.within(granted);
      // A scope the client's credential has lost since the grant is not renewed.
      const scopes = await stillGranted(requested, client, { settings, services });

      let found = null;
      if (record.userId) {
        found = await services.user.get(record.userId);
        if (!found || !found.isActive) throw new InvalidGrant('The resource owner of this grant is no longer active');
      }

      // Public clients' refresh tokens are not sender-constrained: they always rotate (RFC 9700 §4.14.2).
      const rotate = settings.refreshToken.rotate || client.isPublic;
      if (rotate) await retire(refreshToken, record, clock, { store, settings, logger });

      return issuer.issue({
        ...senderConstraint(info),
        grantType: record.grantType,
        grantId: record.grantId,
        grantStartedAt: record.grantStart,
        app: client.app,
        user: found && { id: found.id, username: found.username },
        scopes,
        resources,
        grantResources: granted,
        redirectUri: record.redirectUri,
        refresh: rotate ? { scopes: grantedScopes } : null,
        grantKeptUntil: rotate ? 0 : record.exp,
        // OpenID Connect Core §12.2: a new ID token of the same sign-in, without nonce; only for a grant that was one.
        ...(found && record.openId
          ? {
              identity: {
                user: found,
                authTime: record.authTime,
                sid: record.sid,
                idTokenClaims: splitScopes(record.idTokenClaims ?? '')
              }
            }
          : {})
      });
    }, done);
  } as never);
}
