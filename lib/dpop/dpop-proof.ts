import { createHash } from 'crypto';
import type { IncomingMessage } from 'http';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  jwtVerify,
  type JWK,
  type KeyLike
} from 'jose';

/** The proof algorithms accepted (RFC 9449 §4.2 `alg`: asymmetric only), and announced in the metadata (§5.1). */
export const DPOP_ALGORITHMS = ['ES256', 'PS256', 'RS256', 'EdDSA'] as const;

/** Seconds a proof's `iat` may lie before or after now (RFC 9449 §11.1: "seconds or minutes"). */
export const DPOP_IAT_WINDOW_S = 300;

/** Longest `jti` accepted: a proof's identifier is the client's data, kept (hashed) for the window (§11.1). */
const MAX_JTI_LENGTH = 256;

/** Proof headers kept at most (knownHeaders): a client signs its proofs with one key, under one header. */
const MAX_KNOWN_HEADERS = 5000;

/** A proof header's key as EmbeddedJWK imports it, and its thumbprint: what is the same for every proof of one key. */
interface HeaderKey {
  key: KeyLike;
  jkt: string;
}

/**
 * The keys of proof headers seen lately, by the header's encoded text (its `alg` and `jwk` byte for byte): importing
 * a JWK and hashing it costs more than verifying a signature, and a client sends the same header with every proof.
 * Whatever else a proof is checked for is checked every time.
 */
const knownHeaders = new Map<string, Promise<HeaderKey>>();

/** The key of a proof's header (EmbeddedJWK's checks: a public JWK fitting `alg`), imported once per header text. */
function headerKey(proof: string, header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<HeaderKey> {
  const text = proof.slice(0, proof.indexOf('.'));
  const known = knownHeaders.get(text);
  if (known) return known;
  const imported = (async () => ({
    key: (await EmbeddedJWK(header, token)) as KeyLike,
    jkt: await calculateJwkThumbprint(header.jwk as JWK, 'sha256')
  }))();
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.delete(knownHeaders.keys().next().value!);
  knownHeaders.set(text, imported);
  // A header whose key does not import is not kept: it would only answer the same refusal.
  imported.catch(() => knownHeaders.delete(text));
  return imported;
}

/** Why a DPoP proof is refused: `invalid_dpop_proof` (RFC 9449 §5, §7.1), with the reason in the description. */
export class InvalidDpopProof extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** What a proof must match: the request it came with (§4.3 items 8, 9) and, at a resource, its token (item 12). */
export interface ProofExpectation {
  method: string;
  /** The request's URL as the client sent it (any of these spellings); query and fragment are not compared. */
  url: string | readonly string[];
  /** The access token the proof comes with at a protected resource: its hash must be the proof's `ath`. */
  accessToken?: string | undefined;
  algorithms?: readonly string[];
  /** Seconds `iat` may lie ahead of now (default DPOP_IAT_WINDOW_S; FAPI 2.0 allows 60). */
  maxFuture?: number | undefined;
}

/** A verified proof: the RFC 7638 SHA-256 thumbprint of its key (`cnf.jkt`, §6.1), its `jti` and `iat`. */
export interface DpopProof {
  jkt: string;
  jti: string;
  iat: number;
  /** The server nonce it carries (§8), unchecked here; undefined without one. */
  nonce?: unknown;
}

/**
 * The one DPoP proof of a request (§4.1: the header name is case-insensitive), or undefined without one.
 * @throws InvalidDpopProof when the header is given more than once (§4.3 item 1).
 */
export function dpopHeaderOf(req: IncomingMessage): string | undefined {
  const values = req.headersDistinct?.dpop ?? [];
  if (values.length > 1) throw new InvalidDpopProof('The request carries more than one DPoP header');
  return values[0];
}

/** RFC 9449 §4.3 item 9: the URI without query and fragment, as WHATWG URL normalises it (case, default port). */
function withoutQuery(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** `ath` (§4.2): the base64url SHA-256 of the access token's ASCII. */
export const accessTokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * Checks a DPoP proof (RFC 9449 §4.3) with jose: one compact JWS of `typ: dpop+jwt`, signed by an
 * allowed asymmetric algorithm with the public key in its `jwk` header (EmbeddedJWK refuses a private
 * one), holding `jti`, `htm` equal to the request method, `htu` equal to its URL but for query and
 * fragment, `iat` within DPOP_IAT_WINDOW_S of now and, with an access token, `ath` its hash. The `jti`
 * is not checked for replay here, nor its nonce: DpopProofs does both.
 * @throws InvalidDpopProof naming the failed check.
 */
export async function verifyDpopProof(proof: unknown, expected: ProofExpectation): Promise<DpopProof> {
  if (typeof proof !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof))
    throw new InvalidDpopProof('The DPoP proof is not a compact JWS');
  let verified;
  let jkt = '';
  try {
    // An RSA key's exponent is 65537: a huge one would make each verification costly for whoever sends it.
    const { jwk } = decodeProtectedHeader(proof);
    if (jwk?.kty === 'RSA' && jwk.e !== 'AQAB')
      throw new InvalidDpopProof('The DPoP proof key has an unusual RSA exponent');
    const resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
      const found = await headerKey(proof, header, token);
      jkt = found.jkt;
      return found.key;
    };
    verified = await jwtVerify(proof, resolve, {
      typ: 'dpop+jwt',
      algorithms: [...(expected.algorithms ?? DPOP_ALGORITHMS)],
      clockTolerance: DPOP_IAT_WINDOW_S
    });
  } catch (err) {
    if (err instanceof InvalidDpopProof) throw err;
    const reason = err instanceof errors.JOSEError ? err.message : 'it could not be verified';
    throw new InvalidDpopProof(`The DPoP proof is refused: ${reason}`);
  }
  const { payload } = verified;
  const { jti, htm, htu, iat, ath, nonce } = payload as Record<string, unknown>;
  if (typeof jti !== 'string' || !jti || jti.length > MAX_JTI_LENGTH)
    throw new InvalidDpopProof('The DPoP proof has no usable jti');
  if (htm !== expected.method) throw new InvalidDpopProof('The DPoP proof is for another HTTP method (htm)');
  const urls = [expected.url].flat().map(withoutQuery);
  if (typeof htu !== 'string' || withoutQuery(htu) === undefined || !urls.includes(withoutQuery(htu)))
    throw new InvalidDpopProof('The DPoP proof is for another URL (htu)');
  const ahead = typeof iat === 'number' ? iat - Date.now() / 1000 : NaN;
  if (typeof iat !== 'number' || !(ahead <= (expected.maxFuture ?? DPOP_IAT_WINDOW_S) && -ahead <= DPOP_IAT_WINDOW_S))
    throw new InvalidDpopProof('The DPoP proof was not made now (iat)');
  if (expected.accessToken !== undefined && ath !== accessTokenHash(expected.accessToken))
    throw new InvalidDpopProof('The DPoP proof is for another access token (ath)');
  return { jkt, jti, iat, ...(nonce === undefined ? {} : { nonce }) };
}
