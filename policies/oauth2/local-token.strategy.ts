import { InvalidToken } from '../../lib/errors';
import { splitScopes } from '../../lib/scopes';
import type { TokenStore } from '../../lib/store/token.store';
import { parseAccessToken } from '../../lib/tokens/token-value';
import type { ValidatedToken } from './validated-token';

const INVALID = 'The access token is invalid, expired or revoked';

/**
 * Validates a token issued by this plugin: one pipelined Redis read brings
 * the token and the live status of its app, the app's oauth2 credential and
 * its user, so a deactivated consumer loses access at once. No bcrypt.
 */
export function localTokenStrategy(store: TokenStore) {
  return async function validateLocalToken(token: string): Promise<ValidatedToken> {
    const ids = parseAccessToken(token);
    if (!ids) throw new InvalidToken(INVALID);
    const snapshot = await store.readBearer(token, ids.appId, ids.userId);
    const record = snapshot.token;
    if (!record || record.exp <= Date.now() / 1000) throw new InvalidToken(INVALID);
    if (snapshot.app.isActive !== 'true' || snapshot.credentialActive !== 'true') {
      throw new InvalidToken('The client of this access token is no longer active');
    }
    if (record.userId && snapshot.userActive !== 'true') {
      throw new InvalidToken('The resource owner of this access token is no longer active');
    }
    return {
      id: record.jti,
      scopes: splitScopes(record.scope),
      issuedAt: record.iat,
      expiresAt: record.exp,
      clientId: record.appId,
      userId: record.userId,
      username: record.username,
      grantType: record.grantType,
      redirectUri: record.redirectUri,
      consumer: snapshot.app
    };
  };
}
