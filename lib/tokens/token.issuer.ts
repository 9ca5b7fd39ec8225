import { randomId } from '../secret-value';
import type { Settings } from '../settings';
import type { RefreshTokenRecord, TokenRecord, TokenStore } from '../store/token.store';
import { InvalidGrant } from '../errors';
import { joinScopes } from '../scopes';
import type { EgApplication, EgUser } from '../eg/types';
import { isOpenIdRequest } from '../oidc/oidc-scopes';
import { userClaims } from '../oidc/user-claims';
import type { IdTokens } from '../oidc/id-tokens';
import type { Subjects } from '../oidc/subjects';
import type { JwtAccessTokens } from './jwt-access-token';
import { newAccessToken, newRefreshToken } from './token-value';
import { SealedUsers } from './sealed-user';
import { isPublicApp } from '../clients/client.repository';
import type { Actor } from './validated-token';

export interface IssueRequest {
  grantType: string;
  /** The client's EG app: whose subject type says whether its tokens may show the user's id (Core §8). */
  app: EgApplication;
  user: { id: string; username: string } | null;
  scopes: string[];
  /**
   * The resources the access token is for (RFC 8707 §2), checked by the caller (ResourceIndicators); none: a token
   * for every pipeline that takes tokens requested for no resource.
   */
  resources?: string[] | undefined;
  /** Who acts for the user (RFC 8693 §4.1): a token exchange's actor. */
  act?: Actor | undefined;
  /** The thumbprint of the key of the request's DPoP proof (RFC 9449 §5): the tokens are bound to it. */
  dpopJkt?: string | undefined;
  /** The SHA-256 thumbprint of the client certificate the tokens are bound to (RFC 8705 §3). */
  x5t?: string | undefined;
  /** The grant's resources, which its refresh token carries for later refreshes to narrow: by default `resources`. */
  grantResources?: string[] | undefined;
  /** The redirect URI of the authorization request, for grants that had one. */
  redirectUri?: string;
  /** Issue a refresh token too, with these scopes (RFC 6749 §6: unchanged on refresh). */
  refresh: { scopes: string[] } | null;
  /** Continue an existing grant (refresh) instead of starting a new one. */
  grantId?: string;
  /** When the continued grant began (epoch seconds), which bounds its refresh tokens; a new grant begins now. */
  grantStartedAt?: number;
  /** Keep the grant's index at least this long (epoch seconds): a refresh token it still holds. */
  grantKeptUntil?: number;
  /** The latest the access token may expire (epoch seconds): a token exchange's, that of the token it stands for. */
  expiresBy?: number;
  /**
   * Join the live grant `grantId` from outside it (a token exchanged from one of its tokens): the grant's facts and
   * indexes stay as they are, and revoking the grant revokes the new token too.
   */
  joinsGrant?: boolean;
  /**
   * An OpenID Connect sign-in (a grant where the user proved who they are here: code, password, or the refresh of
   * such a grant), for an ID token when the scopes hold `openid` (Core §3.1.3.3): the user's EG record, the
   * authorization request's nonce, when the user signed in (kept in the grant's refresh tokens).
   */
  identity?: {
    user: EgUser;
    nonce?: string | undefined;
    authTime?: number | undefined;
    sid?: string | undefined;
    /** Claims the authorization request's claims parameter asked for (Core §5.5): in every ID token of the grant. */
    idTokenClaims?: string[] | undefined;
  };
  /** Claims the authorization request's claims parameter asked for (Core §5.5), kept in the grant's facts. */
  requestedClaims?: { userinfo: string[]; idToken: string[] } | undefined;
}

/** The fields of a successful token response (RFC 6749 §5.1), less token_type which oauth2orize adds. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string | undefined;
  params: { expires_in: number; scope?: string; id_token?: string; issued_token_type?: string; token_type?: 'DPoP' };
}

const now = () => Math.floor(Date.now() / 1000);

/** Mints tokens, stores their digests, and shapes the token response. */
export class TokenIssuer {
  /** Seals the user id in the opaque access tokens of pairwise clients. */
  private readonly sealedUsers: SealedUsers;

  constructor(
    private readonly store: TokenStore,
    private readonly settings: Settings,
    private readonly jwts: JwtAccessTokens,
    private readonly idTokens: IdTokens | null,
    /** What each client may learn of users (Core §8), OpenID Connect on or off. */
    private readonly subjects: Subjects
  ) {
    this.sealedUsers = new SealedUsers(settings.oidc.pairwiseSecret);
  }

  async issue(request: IssueRequest): Promise<IssuedTokens> {
    const sealedUser = await this.sealedUserOf(request);
    const resources = this.audienceOf(request.resources);
    const iat = now();
    const base = {
      grantId: request.grantId ?? randomId(16),
      grantType: request.grantType,
      appId: request.app.id,
      userId: request.user?.id ?? '',
      username: request.user?.username ?? '',
      redirectUri: request.redirectUri ?? '',
      iat
    };
    const accessRecord: TokenRecord = {
      ...base,
      jti: randomId(16),
      scope: joinScopes(request.scopes),
      resources: resources.join(' '),
      ...(request.act ? { act: JSON.stringify(request.act) } : {}),
      ...(request.dpopJkt ? { jkt: request.dpopJkt } : {}),
      ...(request.x5t ? { x5t: request.x5t } : {}),
      exp: Math.min(iat + this.settings.accessToken.ttl, request.expiresBy ?? Infinity)
    };
    if (accessRecord.exp <= iat) throw new InvalidGrant('The token this one stands for has expired');
    // A JWT is verified by its signature and is not stored; an opaque token is stored by digest. A client that must
    // not learn the user's id gets an opaque one whatever the format: a JWT's sub would show it (Core §8.1).
    const asJwt = this.settings.accessToken.format === 'jwt' && sealedUser === undefined;
    const accessToken = asJwt
      ? await this.jwts.sign(accessRecord)
      : newAccessToken({ appId: base.appId, userId: base.userId, grantId: base.grantId, sealedUser });

    let refresh: { token: string; record: RefreshTokenRecord } | null = null;
    const grantStart = request.grantStartedAt ?? iat;
    // No refresh token outlives its grant (RFC 9700 §4.14.2); one that would be born dead is not issued.
    const refreshExp = Math.min(
      iat + this.settings.refreshToken.ttl,
      grantStart + this.settings.refreshToken.maxLifetime
    );
    // An OpenID Connect sign-in's refresh tokens carry it on: their refreshes return ID tokens of it (Core §12.2).
    const signIn = this.idTokens ? request.identity : undefined;
    const openId = signIn && isOpenIdRequest(request.refresh?.scopes ?? [], this.settings) ? signIn : undefined;
    if (request.refresh && refreshExp > iat) {
      refresh = {
        token: newRefreshToken(base.grantId),
        record: {
          ...base,
          jti: randomId(16),
          scope: joinScopes(request.refresh.scopes),
          resources: (request.grantResources ? this.audienceOf(request.grantResources) : resources).join(' '),
          exp: refreshExp,
          grantStart,
          // RFC 9449 §5: a public client's refresh token is bound to its key; a confidential client proves itself.
          ...(request.dpopJkt && isPublicApp(request.app) ? { jkt: request.dpopJkt } : {}),
          // RFC 8705 §4: so is a public client's to its certificate.
          ...(request.x5t && isPublicApp(request.app) ? { x5t: request.x5t } : {}),
          ...(openId ? { openId: true as const } : {}),
          ...(openId?.authTime === undefined ? {} : { authTime: openId.authTime }),
          ...(openId?.sid === undefined ? {} : { sid: openId.sid }),
          ...(openId?.idTokenClaims?.length ? { idTokenClaims: openId.idTokenClaims.join(' ') } : {})
        }
      };
    }

    // Signed before anything is stored: a client whose subjects cannot be given (Subjects.of) leaves no grant behind.
    const idToken = await this.signIdToken(request, signIn, accessToken);
    const grantKeptUntil = Math.max(accessRecord.exp, refresh?.record.exp ?? 0, request.grantKeptUntil ?? 0);
    if (
      !(await this.store.saveIssued(
        { token: asJwt ? null : accessToken, record: accessRecord },
        refresh,
        grantKeptUntil,
        grantStart,
        request.requestedClaims,
        request.joinsGrant === true
      ))
    ) {
      throw new InvalidGrant('The grant was revoked');
    }

    const params: IssuedTokens['params'] = { expires_in: accessRecord.exp - iat };
    if (accessRecord.scope) params.scope = accessRecord.scope;
    if (idToken !== undefined) params.id_token = idToken;
    if (accessRecord.jkt) params.token_type = 'DPoP';
    return { accessToken, refreshToken: refresh?.token, params };
  }

  /** The resources a token names in its audience, once each (none is accessToken.audience: ProtectedResources). */
  private audienceOf(resources: string[] | undefined): string[] {
    return [...new Set(resources ?? [])];
  }

  /**
   * For the grants that spend something before issuing (a code, a rotated refresh token): refuses first a client
   * declaring subjects this server cannot give, as issue() would.
   * @throws UnauthorizedClient
   */
  assertSubjectsGiven(app: EgApplication): void {
    if (this.subjects.hidesUserId(app)) this.subjects.assertGiven(app);
  }

  /**
   * The user id an opaque access token of a client that must not learn it carries, sealed (Core §8.1); undefined for
   * any other client or token.
   * @throws UnauthorizedClient, before anything is stored, for a client declaring subjects this server cannot give.
   */
  private async sealedUserOf(request: Pick<IssueRequest, 'app' | 'user'>): Promise<string | undefined> {
    if (!request.user || !this.subjects.hidesUserId(request.app)) return undefined;
    this.assertSubjectsGiven(request.app);
    return this.sealedUsers.seal(request.user.id);
  }

  /** The ID token of an OpenID Connect sign-in whose scopes hold openid (Core §3.1.3.3), else none. */
  private async signIdToken(
    request: IssueRequest,
    signIn: IssueRequest['identity'],
    accessToken: string
  ): Promise<string | undefined> {
    if (!this.idTokens || !signIn || !isOpenIdRequest(request.scopes, this.settings)) return undefined;
    const { user, nonce, authTime, sid, idTokenClaims } = signIn;
    return this.idTokens.sign({
      userId: user.id,
      app: request.app,
      nonce,
      authTime,
      sid,
      accessToken,
      // Every sign-in here is by password (RFC 8176 §2 pwd).
      amr: ['pwd'],
      claims: idTokenClaims?.length ? userClaims(user, idTokenClaims, this.settings.oidc.claims) : undefined
    });
  }
}
