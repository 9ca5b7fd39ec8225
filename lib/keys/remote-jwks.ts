import { createPublicKey, type KeyObject } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import { createLocalJWKSet, errors, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters, KeyLike } from 'jose';
import { readCapped } from '../http/read-capped';

const MAX_AGE_MS = 600000;
const MAX_DOCUMENT_BYTES = 262144;

/** The JWK Set could not be had, and no earlier copy is at hand: not the token's fault. */
export class JwtKeysUnavailable extends Error {}

/** An answer to a GET, read in full. */
export interface FetchedDocument {
  status: number;
  text: string;
  /** The answer's headers, where the fetch reads them (a client's URL: its caching headers). */
  headers?: IncomingHttpHeaders;
}

/** GETs a JWK Set document within `timeoutMs`, refusing one over `maxBytes`. */
export type JwksFetch = (url: string, timeoutMs: number, maxBytes: number) => Promise<FetchedDocument>;

/**
 * The fetch of URLs the operator configured (a trusted issuer's JWKS):
 * wherever they point, as long as isSafeFetchUrl allowed them.
 */
const fetchConfiguredUrl: JwksFetch = async (url, timeoutMs, maxBytes) => {
  const res = await fetch(url, {
    headers: { Accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs)
  });
  return { status: res.status, text: await readCapped(res, maxBytes) };
};

/**
 * A JWK Set (another issuer's, or a client's), fetched by `load` when first
 * needed and kept 10 minutes: by default as a URL the operator configured;
 * a client's through fetchClientUrl (lib/client-urls).
 * A token naming an unknown kid fetches it again (key rotation at the
 * issuer), but at most once per cooldown, failures included, so forged kids
 * cannot make the gateway hammer the issuer. When a fetch fails, the last
 * good set stays in use (and `onError` says why).
 */
export class RemoteJwks {
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  /** The public keys of the set as key objects, for a key that proves itself otherwise than by a JWT signature. */
  private keyObjects: KeyObject[] = [];
  private fetchedAt = 0;
  private attemptedAt = 0;
  private pending?: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly cooldownMs: number,
    private readonly onError: (message: string) => void,
    private readonly load: JwksFetch = fetchConfiguredUrl
  ) {}

  /** A key resolver for jose's jwtVerify. */
  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> => {
    if (!this.keySet || Date.now() - this.fetchedAt > MAX_AGE_MS) await this.refresh();
    const keySet = this.keySet;
    if (!keySet) throw new JwtKeysUnavailable(`JWKS ${shown(this.url)} unavailable`);
    try {
      return await keySet(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !this.mayFetch()) throw err;
      await this.refresh();
      return (this.keySet ?? keySet)(header, token);
    }
  };

  /**
   * The set's public keys (a client's certificate key, RFC 8705 §2.2), fetched when first needed or old; `again`: once
   * more, cooldown allowing, for a key not found among them.
   * @throws JwtKeysUnavailable when the set could not be had.
   */
  async publicKeys(again = false): Promise<KeyObject[]> {
    if (!this.keySet || Date.now() - this.fetchedAt > MAX_AGE_MS || (again && this.mayFetch())) await this.refresh();
    if (!this.keySet) throw new JwtKeysUnavailable(`JWKS ${shown(this.url)} unavailable`);
    return this.keyObjects;
  }

  private mayFetch(): boolean {
    return Date.now() - this.attemptedAt >= this.cooldownMs;
  }

  private async refresh(): Promise<void> {
    if (!this.pending && !this.mayFetch()) return;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    try {
      await this.pending;
    } catch (err) {
      const message = `JWKS ${shown(this.url)} unavailable: ${describe(err)}`;
      this.onError(this.keySet ? `${message}; still using the keys fetched before` : message);
    }
  }

  private async fetch(): Promise<void> {
    this.attemptedAt = Date.now();
    const { status, text } = await this.load(this.url, this.timeoutMs, MAX_DOCUMENT_BYTES);
    if (status !== 200) throw new Error(`answered ${status}`);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error('answered something that is not JSON'); // V8's message would quote the answer
    }
    this.keySet = createLocalJWKSet(document as JSONWebKeySet);
    this.keyObjects = (document as JSONWebKeySet).keys.flatMap((jwk) => {
      if (jwk.d !== undefined || jwk.kty === 'oct') return [];
      try {
        return [createPublicKey({ key: jwk as never, format: 'jwk' })];
      } catch {
        return [];
      }
    });
    this.fetchedAt = Date.now();
  }
}

/** A URL for the log: as WHATWG URL writes it (control characters and spaces percent-encoded), cut short. */
function shown(url: string): string {
  try {
    return new URL(url).href.slice(0, 300);
  } catch {
    return '(an unreadable URL)';
  }
}

/** Why a fetch failed, for the log; escaped, since a TLS or parser error may quote what the other end sent. */
function describe(err: unknown): string {
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string } }).cause;
  const text = `${(err as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
  return JSON.stringify(text.slice(0, 300)).slice(1, -1);
}
