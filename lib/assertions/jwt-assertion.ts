import { decodeJwt, decodeProtectedHeader, JWTPayload } from 'jose';
import { JwtRejected, JwtVerifier } from '../keys/jwt-verifier';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';

/** A JWT assertion that passed every check of RFC 7523 §3. */
export interface VerifiedJwtAssertion {
  iss: string;
  sub: string;
  jti: string;
  exp: number;
  claims: JWTPayload;
}

const MAX_CLAIM_LENGTH = 256;

const isShortText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;

/**
 * The `iss` of an assertion, read before its signature is checked: only to
 * pick the keys it must be verified with.
 * @throws JwtRejected for something that is not a JWT.
 */
export function unverifiedIssuer(assertion: unknown): string {
  if (typeof assertion !== 'string' || !assertion) throw new JwtRejected('The assertion is missing');
  let iss: unknown;
  try {
    iss = decodeJwt(assertion).iss;
  } catch {
    throw new JwtRejected('The assertion is malformed: not a signed JWT');
  }
  if (!isShortText(iss)) throw new JwtRejected('The assertion has no iss claim');
  return iss;
}

/**
 * RFC 7523 §3: signature, `iss`, `aud` and `exp`/`nbf`/`iat` (the verifier,
 * with the configured leeway), then an expiry no further than `maxLifetime`
 * from issue (item 4 lets the server refuse long-lived ones), a `sub`
 * (item 2), and a `jti` seen for the first time (item 7; required here, so
 * that a captured assertion cannot be replayed).
 * @throws JwtRejected with a reason naming the failed check.
 */
export async function verifyJwtAssertion(
  verifier: JwtVerifier,
  assertion: string,
  limits: Settings['assertions'],
  replays: ReplayGuard,
  /** A token exchange's subject or actor token (RFC 8693 §3 jwt), which may be an access token of the issuer. */
  accessTokensToo = false
): Promise<VerifiedJwtAssertion> {
  const claims = await verifier.verify(assertion);
  // RFC 8725 §3.11: an access token of a trusted issuer is not an assertion, even when its aud is this server.
  if (!accessTokensToo && /^(application\/)?at\+jwt$/i.test(String(decodeProtectedHeader(assertion).typ ?? ''))) {
    throw new JwtRejected('An access token is not an assertion (typ at+jwt)');
  }
  const exp = claims.exp as number;
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : Date.now() / 1000;
  if (exp - issuedAt > limits.maxLifetime) {
    throw new JwtRejected(`The assertion expires more than ${limits.maxLifetime} seconds after it was issued`);
  }
  if (!isShortText(claims.sub)) throw new JwtRejected('The assertion has no sub claim');
  if (!isShortText(claims.jti))
    throw new JwtRejected('The assertion has no jti claim, which is required to refuse replays');
  const iss = claims.iss as string;
  if (!(await replays.firstUse(`jwt:${iss}`, claims.jti, exp, limits.leeway))) {
    throw new JwtRejected('The assertion was already used (its jti was seen before)');
  }
  return { iss, sub: claims.sub, jti: claims.jti, exp, claims };
}
