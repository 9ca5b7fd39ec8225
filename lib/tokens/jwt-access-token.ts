import { JWK, JWTPayload, SignJWT } from 'jose';
import { JwtVerifier } from '../keys/jwt-verifier';
import type { KeyEntry } from '../keys/key-entry';
import type { Settings } from '../settings';
import type { TokenRecord } from '../store/token.store';
import { Actor, actorOf, boundCertificate, boundKey, confirmation } from './validated-token';

/** RFC 9068 §2.1: the media type of JWT access tokens, in the `typ` header. */
export const AT_JWT = 'at+jwt';

/** A JWT is three base64url parts; an opaque token of ours never has a dot. */
export function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/** The facts a JWT access token of ours carries, read back from its claims. */
export interface JwtAccessClaims {
  jti: string;
  grantId: string;
  appId: string;
  userId: string;
  scope: string;
  /** The resources it was issued for (RFC 8707): its `aud`, unless that names accessToken.audience. */
  resources: string[];
  /** Who acts for the subject (RFC 8693 §4.1). */
  act?: Actor | undefined;
  /** The thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1 `cnf.jkt`). */
  jkt?: string | undefined;
  /** The thumbprint of the client certificate the token is bound to (RFC 8705 §3.1 `cnf.x5t#S256`). */
  x5t?: string | undefined;
  /** The redirect URI of the authorization request it came from (browser flows only); '' otherwise. */
  redirectUri: string;
  iat: number;
  exp: number;
}

/**
 * JWT access tokens (RFC 9068): `sub` is the user, or the client itself for
 * client_credentials (§2.2); `gid` names the grant so that revoking the grant
 * revokes its JWTs. Signed with the first configured key; every key verifies,
 * so a key can be rotated out without invalidating live tokens.
 */
export class JwtAccessTokens {
  private readonly keys: KeyEntry[];
  private readonly verifier: JwtVerifier;

  /** @param keys `settings.keys`, loaded (loadKeys). */
  constructor(
    private readonly settings: Settings,
    keys: KeyEntry[]
  ) {
    this.keys = keys;
    if (settings.accessToken.format === 'jwt' && !this.keys[0]?.signKey) {
      throw new TypeError(
        'plugins.oauth2.keys[0]: the first key signs JWT access tokens, so it must be a private key or a secret'
      );
    }
    this.verifier = new JwtVerifier({
      keys: this.keys,
      issuer: settings.issuer,
      // No audience: a token of this server names where it is taken (accessToken.audience, the resources it was asked
      // for, a token exchange's audiences), which the policy judges; its type tells it from our other JWTs.
      leeway: 0,
      typ: AT_JWT
    });
  }

  sign(record: TokenRecord): Promise<string> {
    const key = this.keys[0];
    if (!key?.signKey)
      return Promise.reject(
        new TypeError('plugins.oauth2.keys[0] cannot sign: JWT access tokens need a private key or a secret first')
      );
    // redirect_uri: what an opaque token's record keeps, for EG's eg-token-redirect-uri header (not secret: the client
    // registered it).
    const redirect = record.redirectUri ? { redirect_uri: record.redirectUri } : {};
    const act = record.act === undefined ? {} : { act: JSON.parse(record.act) as Actor };
    const bound = confirmation(record);
    const cnf = bound ? { cnf: bound } : {};
    return (
      new SignJWT({ client_id: record.appId, scope: record.scope, gid: record.grantId, ...redirect, ...act, ...cnf })
        .setProtectedHeader({ alg: key.alg, typ: AT_JWT, ...(key.kid === undefined ? {} : { kid: key.kid }) })
        .setIssuer(this.settings.issuer)
        .setSubject(record.userId || record.appId)
        // RFC 9068 §3: the resources asked for, else this server's audience.
        .setAudience(record.resources ? record.resources.split(' ') : this.settings.accessToken.audience)
        .setJti(record.jti)
        .setIssuedAt(record.iat)
        .setExpirationTime(record.exp)
        .sign(key.signKey)
    );
  }

  /** @throws JwtRejected for a token this server did not sign, or that is expired. */
  async verify(token: string): Promise<JwtAccessClaims> {
    const claims: JWTPayload = await this.verifier.verify(token);
    const {
      jti,
      gid,
      client_id: appId,
      sub,
      scope,
      redirect_uri: redirectUri,
      iat,
      exp,
      aud,
      act,
      cnf
    } = claims as JWTPayload & Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const audience = [aud ?? []].flat();
    return {
      jti: text(jti),
      grantId: text(gid),
      appId: text(appId),
      userId: sub === appId ? '' : text(sub),
      scope: text(scope),
      resources: audience.includes(this.settings.accessToken.audience) ? [] : audience,
      act: actorOf(act),
      jkt: boundKey(cnf),
      x5t: boundCertificate(cnf),
      redirectUri: text(redirectUri),
      iat: typeof iat === 'number' ? iat : 0,
      exp: exp as number
    };
  }

  /** The public keys, for the JWKS endpoint: HMAC secrets are never published. */
  publicJwks(): { keys: JWK[] } {
    const published = this.keys.filter((key) => key.verifyKey.type === 'public');
    return {
      keys: published.map((key) => ({
        ...(key.verifyKey.export({ format: 'jwk' }) as JWK),
        ...(key.kid === undefined ? {} : { kid: key.kid }),
        alg: key.alg,
        use: 'sig'
      }))
    };
  }

  /** Whether a JWKS is worth publishing: some key has a public half. */
  get hasPublicKeys(): boolean {
    return this.keys.some((key) => key.verifyKey.type === 'public');
  }
}
