import { createLocalJWKSet, errors, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters, KeyLike } from 'jose';

const MAX_AGE_MS = 600000;
const MAX_DOCUMENT_BYTES = 262144;

/** The JWK Set could not be had, and no earlier copy is at hand: not the token's fault. */
export class JwtKeysUnavailable extends Error {}

/**
 * Another issuer's JWK Set, fetched when first needed and kept 10 minutes.
 * A token naming an unknown kid fetches it again (key rotation at the
 * issuer), but at most once per cooldown, failures included, so forged kids
 * cannot make the gateway hammer the issuer. When a fetch fails, the last
 * good set stays in use (and `onError` says why).
 */
export class RemoteJwks {
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = 0;
  private attemptedAt = 0;
  private pending?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly cooldownMs: number,
    private readonly onError: (message: string) => void
  ) {}

  /** A key resolver for jose's jwtVerify. */
  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> => {
    if (!this.keySet || Date.now() - this.fetchedAt > MAX_AGE_MS) await this.refresh();
    const keySet = this.keySet;
    if (!keySet) throw new JwtKeysUnavailable(`JWKS ${this.url} unavailable`);
    try {
      return await keySet(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !this.mayFetch()) throw err;
      await this.refresh();
      return (this.keySet ?? keySet)(header, token);
    }
  };

  private mayFetch(): boolean {
    return Date.now() - this.attemptedAt >= this.cooldownMs;
  }

  private async refresh(): Promise<void> {
    if (!this.pending && !this.mayFetch()) return;
    this.pending ??= this.fetch().finally(() => { this.pending = undefined; });
    try {
      await this.pending;
    } catch (err) {
      const message = `JWKS ${this.url} unavailable: ${describe(err)}`;
      this.onError(this.keySet ? `${message}; still using the keys fetched before` : message);
    }
  }

  private async fetch(): Promise<void> {
    this.attemptedAt = Date.now();
    const res = await fetch(this.url, { headers: { Accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`answered ${res.status}`);
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('answered more than 256 KiB');
    this.keySet = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    this.fetchedAt = Date.now();
  }
}

function describe(err: unknown): string {
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string } }).cause;
  return `${(err as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
}
