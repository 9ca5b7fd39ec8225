import { createHash, KeyObject } from 'crypto';
import { compactVerify, SignJWT } from 'jose';
import type { EgApplication } from '../eg/types';
import type { JwsAlgorithm, KeyEntry } from '../keys/key-entry';
import { randomId } from '../secret-value';
import type { Settings } from '../settings';
import type { Subjects } from './subjects';

/** What an ID token says beyond the issuer's own claims (OpenID Connect Core §2). Times are epoch seconds. */
export interface IdTokenFacts {
  /** The user's id; the ID token's `sub` is what the client is told for it (Core §8). */
  userId: string;
  /** The client's EG app: the audience, and whose subject type says the `sub`. */
  app: EgApplication;
  /** When the user signed in (Core §2 auth_time); unknown for a grant older than OpenID Connect here. */
  authTime?: number | undefined;
  /** The authorization request's nonce, echoed (Core §3.1.2.1). */
  nonce?: string | undefined;
  /** The access token issued beside it: its at_hash (Core §3.1.3.6). */
  accessToken?: string | undefined;
  /** The code issued beside it in a hybrid response: its c_hash (Core §3.3.2.11). */
  code?: string | undefined;
  /** The sign-in's session id, for back-channel logout (Back-Channel Logout 1.0 §2.1). */
  sid?: string | undefined;
  /** The user's claims the request asked to find in the ID token. */
  claims?: Record<string, unknown> | undefined;
  /** How the user signed in (Core §2 amr, RFC 8176 values). */
  amr?: string[] | undefined;
}

/** The event a logout token announces (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The hash of a JWS algorithm, whose left half makes at_hash and c_hash (Core §3.1.3.6; EdDSA: SHA-512). */
function hashOf(alg: JwsAlgorithm): string {
  if (alg === 'EdDSA') return 'sha512';
  return `sha${alg.slice(2)}`;
}

/** Core §3.1.3.6: base64url of the left-most half of the hash of the value's ASCII octets. */
export function halfHash(value: string, alg: JwsAlgorithm): string {
  const digest = createHash(hashOf(alg)).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * ID tokens (OpenID Connect Core §2), signed with the first RS256 key of `keys`
 * that has its private half: RS256 is the algorithm every relying party may
 * expect (Core §15.1, and the default of id_token_signed_response_alg).
 */
export class IdTokens {
  private readonly key: KeyEntry & { signKey: KeyObject };
  /** The `sub` each client is told for a user: public or pairwise (Core §8). */
  readonly subjects: Subjects;

  /** @throws TypeError naming the setting when no key can sign ID tokens. */
  constructor(
    private readonly settings: Settings,
    keys: KeyEntry[],
    subjects: Subjects
  ) {
    const key = keys.find((entry): entry is KeyEntry & { signKey: KeyObject } =>
      Boolean(entry.alg === 'RS256' && entry.signKey)
    );
    if (!key) {
      throw new TypeError(
        'plugins.oauth2.oidc.enabled needs an RS256 private key in plugins.oauth2.keys to sign ID tokens with ' +
          '(OpenID Connect Core §15.1)'
      );
    }
    this.key = key;
    this.subjects = subjects;
  }

  /**
   * A logout token (Back-Channel Logout 1.0 §2.4): the sign-in `sid` of the user ended, or without `sid`, every
   * session of the user at the client must end. No nonce, a short life, and its own typ, so that it can never pass
   * for an ID token. Its `sub` is the one the client's ID tokens carry (§2.4).
   */
  signLogoutToken({
    app,
    sid,
    userId
  }: {
    app: EgApplication;
    sid?: string | undefined;
    userId: string;
  }): Promise<string> {
    const { alg, kid, signKey } = this.key;
    const told = sid === undefined ? {} : { sid: this.subjects.sidOf(sid, app) };
    return new SignJWT({ ...told, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
      .setProtectedHeader({ alg, typ: 'logout+jwt', ...(kid === undefined ? {} : { kid }) })
      .setIssuer(this.settings.issuer)
      .setSubject(this.subjects.of(userId, app))
      .setAudience(app.id)
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti(randomId(16))
      .sign(signKey);
  }

  /**
   * The claims of an ID token this server signed, expired or not, for an id_token_hint (Core §3.1.2.1, RP-Initiated
   * Logout §2): only its signature and issuer are checked. Null for anything else.
   */
  async readHint(token: string): Promise<{ sub: string; aud: string[] } | null> {
    try {
      const verified = await compactVerify(token, this.key.verifyKey, { algorithms: [this.key.alg] });
      // Only an ID token (typ JWT): a JWT access token (at+jwt) or a logout token signed with the same key is none.
      const typ = verified.protectedHeader.typ;
      if (typ !== undefined && typ.toUpperCase() !== 'JWT') return null;
      const claims = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
      const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
      if (claims.iss !== this.settings.issuer || typeof claims.sub !== 'string' || aud.length === 0) return null;
      // A signed UserInfo answer (typ JWT too) has no exp: every ID token has (Core §2).
      if (typeof claims.exp !== 'number') return null;
      return { sub: claims.sub, aud: aud.filter((value): value is string => typeof value === 'string') };
    } catch {
      return null;
    }
  }

  /**
   * A signed UserInfo answer (Core §5.3.2) for a client that registered `userinfoSignedResponseAlg`: the claims, with
   * the issuer and the client as audience, signed like ID tokens.
   */
  signUserInfo(claims: Record<string, unknown>, clientId: string): Promise<string> {
    const { alg, kid, signKey } = this.key;
    return new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
      .setIssuer(this.settings.issuer)
      .setAudience(clientId)
      .setIssuedAt()
      .sign(signKey);
  }

  /** The algorithms ID tokens are signed with, for the discovery document. */
  get algorithms(): JwsAlgorithm[] {
    return [this.key.alg];
  }

  /** @throws UnauthorizedClient when the client declares subjects this server cannot give (Subjects.of). */
  sign(facts: IdTokenFacts): Promise<string> {
    const { alg, kid, signKey } = this.key;
    const payload: Record<string, unknown> = { ...facts.claims, azp: facts.app.id };
    if (facts.authTime !== undefined) payload.auth_time = facts.authTime;
    if (facts.nonce !== undefined) payload.nonce = facts.nonce;
    if (facts.accessToken !== undefined) payload.at_hash = halfHash(facts.accessToken, alg);
    if (facts.code !== undefined) payload.c_hash = halfHash(facts.code, alg);
    if (facts.sid !== undefined) payload.sid = this.subjects.sidOf(facts.sid, facts.app);
    if (facts.amr !== undefined) payload.amr = facts.amr;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
      .setIssuer(this.settings.issuer)
      .setSubject(this.subjects.of(facts.userId, facts.app))
      .setAudience(facts.app.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.settings.oidc.idTokenTtl)
      .sign(signKey);
  }
}
