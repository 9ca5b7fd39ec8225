import { findClient } from '../clients/client.repository';
import type { EgServices } from '../eg/types';
import { InvalidToken } from '../errors';
import type { TokenStore } from '../store/token.store';
import { describeAccessToken, describeRefreshToken, INACTIVE, IntrospectionAnswer } from './introspection-answer';
import type { LocalTokenValidator } from './local-token.validator';
import { tokenKind } from './token-kind';

/**
 * Says what a token of this server is (RFC 7662): active with its facts, or
 * inactive for anything expired, revoked, unknown, or whose client or user
 * is no longer active. Access tokens are checked exactly as the policy
 * checks them.
 */
export class TokenInspector {
  constructor(
    private readonly validator: LocalTokenValidator,
    private readonly store: TokenStore,
    private readonly services: EgServices,
    private readonly issuer: string
  ) {}

  async inspect(token: string): Promise<IntrospectionAnswer> {
    const kind = tokenKind(token);
    if (kind === 'refresh') return this.inspectRefreshToken(token);
    if (kind === 'unknown') return INACTIVE;
    try {
      return describeAccessToken(await this.validator.validate(token));
    } catch (err) {
      if (err instanceof InvalidToken) return INACTIVE;
      throw err;
    }
  }

  private async inspectRefreshToken(token: string): Promise<IntrospectionAnswer> {
    const record = await this.store.findRefreshToken(token);
    // A used refresh token of a rotating grant is retired (only a retry within rotationGracePeriod still gets an
    // answer).
    if (!record || record.exp <= Date.now() / 1000 || record.usedAt) return INACTIVE;
    if (!(await findClient(this.services, record.appId, 'none'))) return INACTIVE;
    if (record.userId) {
      const user = await this.services.user.get(record.userId);
      if (!user || !user.isActive) return INACTIVE;
    }
    return describeRefreshToken(record, this.issuer);
  }
}
