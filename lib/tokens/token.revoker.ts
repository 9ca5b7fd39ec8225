import { JwtRejected } from '../keys/jwt-verifier';
import type { TokenStore } from '../store/token.store';
import type { JwtAccessTokens } from './jwt-access-token';
import { tokenKind } from './token-kind';

/**
 * Token revocation (RFC 7009 §2.1): an access token alone, or a refresh
 * token with every token of its grant. Unknown, expired or foreign-shaped
 * tokens need no revocation and are not an error. A token issued to another
 * client is left alone, and answered like an unknown one: an error would
 * tell anyone holding a client_id (public clients need no secret) whether a
 * token they found is live (RFC 7009 §2.1 lets the server choose).
 */
export class TokenRevoker {
  constructor(
    private readonly store: TokenStore,
    private readonly jwts: JwtAccessTokens
  ) {}

  async revoke(token: string, clientId: string): Promise<void> {
    switch (tokenKind(token)) {
      case 'opaque-access': {
        const record = await this.store.findAccessToken(token);
        if (!record) return;
        if (record.appId !== clientId) return;
        return this.store.revokeAccessToken(token);
      }
      case 'jwt-access': {
        let claims;
        try {
          claims = await this.jwts.verify(token);
        } catch (err) {
          if (err instanceof JwtRejected) return; // not ours, or expired: nothing is left to revoke
          throw err;
        }
        if (claims.appId !== clientId) return;
        return claims.grantId ? this.store.denyJwt(claims.grantId, claims.jti, claims.exp) : undefined;
      }
      case 'refresh': {
        const record = await this.store.findRefreshToken(token);
        if (!record) return;
        if (record.appId !== clientId) return;
        return this.store.revokeGrant(record.grantId);
      }
      default:
    }
  }
}
