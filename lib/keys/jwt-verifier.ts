import type { KeyObject } from 'crypto';
import { decodeProtectedHeader, errors, JWTPayload, jwtVerify, JWTVerifyOptions, KeyLike } from 'jose';
import type { JwsAlgorithm, KeyEntry } from './key-entry';
import { JwksFetch, JwtKeysUnavailable, RemoteJwks } from './remote-jwks';

export { JwtKeysUnavailable };

/** What a JWT must be to be accepted. */
/** Where a JWK Set is, and how it is fetched. */
export interface JwksRules {
  uri: string;
  /** Milliseconds to wait for the document. */
  timeout: number;
  /** Seconds after a fetch before an unknown kid may fetch it again. */
  cooldown: number;
  /** How the document is fetched; default: as a URL the operator configured. */
  fetch?: JwksFetch;
  /** Told when the document cannot be fetched. */
  onError?: (message: string) => void;
}

export interface JwtRules {
  /** Keys configured locally; tried by `kid` when the token names one. */
  keys: KeyEntry[];
  /**
   * A JWKS document fetched on demand, cached, and fetched again for an unknown `kid` (its timing: settings, never a
   * default here).
   */
  jwks?: JwksRules | undefined;
  /** Required `iss`; unset: any issuer (a registry entry in Janus's shape, which checks none, says so in a warning). */
  issuer?: string | undefined;
  /** Required `aud` (one of them must be present in the token). */
  audience?: string | string[] | undefined;
  /** Algorithms accepted; defaults to those of the keys (JWKS: every asymmetric one). */
  algorithms?: JwsAlgorithm[] | undefined;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  leeway: number;
  /** Required `typ` header, e.g. `at+jwt`; empty: not checked. */
  typ?: string;
  /** What the JWT is called in refusals: "token" (default) or "assertion". */
  noun?: string;
}

/** A JWT that is refused; `reason` is a public, precise description. */
export class JwtRejected extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string
  ) {
    super(reason);
  }
}

const ASYMMETRIC: JwsAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * RFC 7515 §2, §7.1: each part of a compact JWS is base64url without padding. jose decodes leniently
 * (padding, `+` and `/`, stray characters and the unused bits of the last character pass), so one
 * signed token could be spelled many ways; only its canonical spelling is taken, so that a verified
 * token has one (the caches, keyed by the token, would otherwise keep one entry per spelling).
 */
function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split('.');
  return (
    parts.length === 3 &&
    parts.every((part) => BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part)
  );
}

/** A jose error as a public reason naming the JWT by its noun; our own refusals already do. */
function describe(err: unknown, noun: string): JwtRejected {
  if (err instanceof JwtRejected) return err;
  const rejected = describeAsToken(err);
  return noun === 'token' ? rejected : new JwtRejected(rejected.reason.replace(/\btoken\b/g, noun), rejected.detail);
}

function describeAsToken(err: unknown): JwtRejected {
  if (err instanceof errors.JWTExpired) return new JwtRejected('The token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new JwtRejected(`The token has no ${err.claim} claim`, err.message);
    const reasons: Record<string, string> = {
      iss: 'The token was not issued by a trusted issuer',
      aud: 'The token is not meant for this audience',
      nbf: 'The token is not valid yet',
      typ: 'The token is not of the expected type'
    };
    return new JwtRejected(reasons[err.claim] ?? `The token's "${err.claim}" claim is invalid`, err.message);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new JwtRejected('The token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new JwtRejected('The token is signed with an algorithm that is not accepted');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new JwtRejected('The token is signed with an unknown key');
  }
  return new JwtRejected('The token is malformed', err instanceof Error ? err.message : String(err));
}

/**
 * Verifies JWTs against a key list and/or a JWKS (jose does the
 * cryptography). Each key is used only with its own algorithm, so an RSA or
 * EC public key can never double as an HMAC secret, and `none` is never
 * accepted whatever the header says.
 */
export class JwtVerifier {
  private readonly algorithms: JwsAlgorithm[];
  private readonly jwks?: RemoteJwks;
  private readonly noun: string;
  /** What jose checks of every token but its algorithm; a field left out is not checked. */
  private readonly claimChecks: JWTVerifyOptions;

  constructor(private readonly rules: JwtRules) {
    const fromKeys = [...new Set(rules.keys.map((key) => key.alg))];
    const defaults = rules.jwks ? [...new Set([...fromKeys, ...ASYMMETRIC])] : fromKeys;
    this.algorithms = rules.algorithms ?? defaults;
    this.noun = rules.noun ?? 'token';
    this.claimChecks = {
      clockTolerance: rules.leeway,
      requiredClaims: ['exp'],
      ...(rules.issuer === undefined ? {} : { issuer: rules.issuer }),
      ...(rules.audience === undefined ? {} : { audience: rules.audience }),
      ...(rules.typ ? { typ: rules.typ } : {})
    };
    const { jwks } = rules;
    if (jwks)
      this.jwks = new RemoteJwks(
        jwks.uri,
        jwks.timeout,
        jwks.cooldown * 1000,
        jwks.onError ?? (() => undefined),
        jwks.fetch
      );
  }

  /**
   * Every public key this verifier knows: its own, and its JWKS's (fetched when needed); `again` refetches the JWKS,
   * cooldown allowing.
   * @throws JwtKeysUnavailable when the JWKS could not be had.
   */
  async publicKeys(again = false): Promise<KeyObject[]> {
    const own = this.rules.keys.map((key) => key.verifyKey).filter((key) => key.type === 'public');
    return this.jwks ? [...own, ...(await this.jwks.publicKeys(again))] : own;
  }

  /**
   * The configured keys that may have signed a token with this header: the
   * key of its kid; for a kid no local key has, the keys without a kid
   * unless a JWKS may know it; for a token without kid, every key of its alg.
   */
  private candidates(alg: string, kid: string | undefined): KeyEntry[] {
    const sameAlg = this.rules.keys.filter((key) => key.alg === alg);
    if (kid === undefined) return sameAlg;
    const named = sameAlg.filter((key) => key.kid === kid);
    if (named.length > 0 || this.jwks) return named;
    return sameAlg.filter((key) => key.kid === undefined);
  }

  /** @throws JwtRejected with a public reason, or JwtKeysUnavailable when the JWKS cannot be fetched. */
  async verify(token: string): Promise<JWTPayload> {
    if (!isCanonicalCompactJws(token)) {
      throw describe(new TypeError('a part is not canonical base64url (RFC 7515 §2, §7.1)'), this.noun);
    }
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch (err) {
      throw describe(err, this.noun);
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || !(this.algorithms as string[]).includes(alg)) {
      throw new JwtRejected(`The ${this.noun} is signed with an algorithm that is not accepted`, `alg ${String(alg)}`);
    }
    const options = { ...this.claimChecks, algorithms: [alg] };
    const keys = this.candidates(alg, header.kid);
    // jose's errors capture a stack trace: build one only for a token that fails.
    let failure: unknown = null;
    for (const key of keys) {
      try {
        return this.checkIssuedAt((await jwtVerify(token, key.verifyKey as KeyLike, options)).payload);
      } catch (err) {
        failure = err;
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) break; // only a wrong key is worth another try
      }
    }
    if (keys.length === 0 && this.jwks) {
      try {
        return this.checkIssuedAt((await jwtVerify(token, this.jwks.resolve, options)).payload);
      } catch (err) {
        if (err instanceof JwtKeysUnavailable) throw err;
        failure = err;
      }
    }
    throw describe(failure ?? new errors.JWKSNoMatchingKey(), this.noun);
  }

  /** jose checks `iat` only with maxTokenAge; a token from the future is as suspect as an expired one. */
  private checkIssuedAt(payload: JWTPayload): JWTPayload {
    if (
      payload.iat !== undefined &&
      (typeof payload.iat !== 'number' || payload.iat > Date.now() / 1000 + this.rules.leeway)
    ) {
      throw new JwtRejected(`The ${this.noun} was issued in the future`);
    }
    return payload;
  }
}
