import { InvalidToken } from '../errors';
import { JwtRejected } from '../keys/jwt-verifier';
import { splitScopes } from '../scopes';
import type { Settings } from '../settings';
import type { BearerReader, ConsumerStatus } from '../store/bearer.reader';
import type { TokenRecord } from '../store/token.store';
import type { JwtAccessTokens } from './jwt-access-token';
import { looksLikeJwt } from './jwt-access-token';
import { parseAccessToken } from './token-value';
import type { ValidatedToken } from './validated-token';

const INVALID = 'The access token is invalid, expired or revoked';

type Facts = Pick<TokenRecord, 'jti' | 'grantId' | 'grantType' | 'appId' | 'userId' | 'username' | 'redirectUri' | 'scope' | 'iat' | 'exp'>;

/**
 * Validates an access token issued by this plugin, opaque or JWT, for the
 * policy, introspection and token info alike. An opaque token costs one
 * pipelined Redis read; a JWT is verified locally and then costs the same
 * one read for its deny-list entries. Either way the read brings the live
 * status of the token's app, credential and user, so a deactivated consumer
 * loses access at once. No bcrypt.
 */
export class LocalTokenValidator {
  constructor(
    private readonly reader: BearerReader,
    private readonly jwts: JwtAccessTokens,
    private readonly settings: Settings
  ) {}

  /** @throws InvalidToken with a public reason. */
  async validate(token: string): Promise<ValidatedToken> {
    return looksLikeJwt(token) ? this.validateJwt(token) : this.validateOpaque(token);
  }

  private async validateOpaque(token: string): Promise<ValidatedToken> {
    const ids = parseAccessToken(token);
    if (!ids) throw new InvalidToken(INVALID);
    const snapshot = await this.reader.readOpaque(token, ids.appId, ids.userId);
    const record = snapshot.token;
    if (!record || record.exp <= Date.now() / 1000) throw new InvalidToken(INVALID);
    return this.toValidated(record, snapshot);
  }

  private async validateJwt(token: string): Promise<ValidatedToken> {
    let claims;
    try {
      claims = await this.jwts.verify(token);
    } catch (err) {
      if (err instanceof JwtRejected) throw new InvalidToken(err.reason.replace(/^The token/, 'The access token'), err.detail);
      throw err;
    }
    if (!claims.jti || !claims.grantId || !claims.appId) throw new InvalidToken(INVALID);
    const snapshot = await this.reader.readJwtStatus(claims.jti, claims.grantId, claims.appId, claims.userId);
    if (snapshot.revoked) throw new InvalidToken(INVALID);
    return this.toValidated({ ...claims, grantType: '', username: snapshot.username ?? '', redirectUri: '' }, snapshot);
  }

  private toValidated(facts: Facts, status: ConsumerStatus): ValidatedToken {
    if (status.app.isActive !== 'true' || status.credentialActive !== 'true') {
      throw new InvalidToken('The client of this access token is no longer active');
    }
    if (facts.userId && status.userActive !== 'true') {
      throw new InvalidToken('The resource owner of this access token is no longer active');
    }
    return {
      id: facts.jti,
      scopes: splitScopes(facts.scope),
      issuedAt: facts.iat,
      expiresAt: facts.exp,
      issuer: this.settings.issuer,
      audience: [this.settings.accessToken.audience],
      subject: facts.userId || facts.appId,
      clientId: facts.appId,
      userId: facts.userId,
      username: facts.username || status.username || '',
      grantType: facts.grantType,
      redirectUri: facts.redirectUri,
      grantId: facts.grantId,
      consumer: status.app
    };
  }
}
