import { acceptsDocumentClients } from '../clients/client.repository';
import { createHash } from 'crypto';
import fs from 'fs';
import { InvalidToken } from '../errors';
import { JwtRejected } from '../keys/jwt-verifier';
import { splitScopes } from '../scopes';
import type { Settings } from '../settings';
import type { BearerReader, ConsumerStatus } from '../store/bearer.reader';
import type { TokenRecord } from '../store/token.store';
import type { JwtAccessTokens } from './jwt-access-token';
import { looksLikeJwt } from './jwt-access-token';
import type { TokenCache } from './token-cache';
import { digest } from '../secret-value';
import { parseAccessToken } from './token-value';
import { SealedUsers } from './sealed-user';
import { Actor, actorFromJson, ValidatedToken } from './validated-token';

const INVALID = 'The access token is invalid, expired or revoked';

type Facts = Pick<
  TokenRecord,
  'jti' | 'grantId' | 'grantType' | 'appId' | 'userId' | 'username' | 'redirectUri' | 'scope' | 'iat' | 'exp'
> & { resources: string[]; act?: Actor | undefined; jkt?: string | undefined; x5t?: string | undefined };

/**
 * Validates an access token issued by this plugin, opaque or JWT, for the
 * policy, introspection and token info alike. No bcrypt.
 *
 * The first time a gateway sees a token it costs one pipelined Redis read:
 * an opaque token's record, or, for a JWT verified locally, its deny-list
 * entries; either way together with the live status of the token's app,
 * credential and user. The answer is then kept in memory (TokenCache) for
 * `tokenCache.ttl` seconds, so a repeated token costs no round trip and no
 * signature check; a revocation or a consumer change announced on the feed
 * drops it at once on every instance.
 */
export class LocalTokenValidator {
  /** Opens the user id sealed in a pairwise client's opaque tokens. */
  private readonly sealedUsers: SealedUsers;

  constructor(
    private readonly reader: BearerReader,
    private readonly jwts: JwtAccessTokens,
    private readonly settings: Settings,
    private readonly cache: TokenCache | null
  ) {
    this.sealedUsers = new SealedUsers(settings.oidc.pairwiseSecret);
  }

  /**
   * Everything a validation depends on (issuer, audience, format, keys,
   * store, cache limits), as a digest: the local token cache is only reused
   * across a hot reload while it is the same (see TokenCache.shared).
   */
  static cacheConfig(settings: Settings): string {
    const keys = settings.keys.map((key) => [
      key.kid,
      key.alg,
      key.key ?? '',
      key.keyFile ? fs.readFileSync(key.keyFile, 'utf8') : ''
    ]);
    const rules = [
      settings.issuer,
      settings.accessToken,
      keys,
      settings.store.keyPrefix,
      settings.tokenCache,
      // Opens sealed user ids: a token it could open is not recalled once it could not.
      createHash('sha256')
        .update(settings.oidc.pairwiseSecret ?? '')
        .digest('base64url')
    ];
    return createHash('sha256').update(JSON.stringify(rules)).digest('base64url');
  }

  /** The token, if this gateway validated it recently and nothing announced since touches it. Synchronous: no I/O. */
  recall(token: string): ValidatedToken | null {
    return this.cache?.get(token) ?? null;
  }

  /** @throws InvalidToken with a public reason. */
  async validate(token: string): Promise<ValidatedToken> {
    const cached = this.cache?.get(token);
    if (cached) return cached;
    const generation = this.cache?.currentGeneration ?? 0;
    const validated = looksLikeJwt(token)
      ? await this.validateJwt(token)
      : await this.validateOpaque(token, digest(token));
    const until = Math.min(validated.expiresAt * 1000, Date.now() + this.settings.tokenCache.ttl * 1000);
    this.cache?.put(token, validated, until, generation);
    return validated;
  }

  private async validateOpaque(token: string, tokenDigest: string): Promise<ValidatedToken> {
    const parsed = parseAccessToken(token);
    if (!parsed) throw new InvalidToken(INVALID);
    // A pairwise client's token: the user id sealed in it is opened here (a wrong or changed key opens nothing).
    const userId = parsed.sealedUser === undefined ? parsed.userId : await this.sealedUsers.open(parsed.sealedUser);
    if (userId === null) throw new InvalidToken(INVALID);
    const ids = { ...parsed, userId };
    const snapshot = await this.reader.readOpaque(tokenDigest, ids);
    const record = snapshot.token;
    if (!record || record.exp <= Date.now() / 1000) throw new InvalidToken(INVALID);
    const act = record.act === undefined ? undefined : actorFromJson(record.act);
    return this.toValidated(
      { ...record, resources: record.resources ? record.resources.split(' ') : [], act },
      snapshot
    );
  }

  private async validateJwt(token: string): Promise<ValidatedToken> {
    let claims;
    try {
      claims = await this.jwts.verify(token);
    } catch (err) {
      if (err instanceof JwtRejected)
        throw new InvalidToken(err.reason.replace(/^The token/, 'The access token'), err.detail);
      throw err;
    }
    if (!claims.jti || !claims.grantId || !claims.appId) throw new InvalidToken(INVALID);
    const snapshot = await this.reader.readJwtStatus(claims.jti, claims.grantId, claims.appId, claims.userId);
    if (snapshot.revoked) throw new InvalidToken(INVALID);
    return this.toValidated({ ...claims, grantType: '', username: snapshot.username ?? '' }, snapshot);
  }

  private toValidated(facts: Facts, status: ConsumerStatus): ValidatedToken {
    if (
      status.app.isActive !== 'true' ||
      status.credentialActive !== 'true' ||
      (status.app.registeredVia === 'document' && !acceptsDocumentClients())
    ) {
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
      audience: facts.resources.length ? facts.resources : [this.settings.accessToken.audience],
      resources: facts.resources,
      subject: facts.userId || facts.appId,
      clientId: facts.appId,
      userId: facts.userId,
      username: facts.username || status.username || '',
      grantType: facts.grantType,
      redirectUri: facts.redirectUri,
      grantId: facts.grantId,
      ...(facts.act ? { act: facts.act } : {}),
      ...(facts.jkt ? { jkt: facts.jkt } : {}),
      ...(facts.x5t ? { x5t: facts.x5t } : {}),
      consumer: status.app
    };
  }
}
