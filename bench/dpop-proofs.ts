import { createHash, randomBytes } from 'crypto';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import type { LoadShape } from './load';

/** The bench's DPoP key (RFC 9449 §4.2): ES256, its public JWK in the header of every proof. */
export interface DpopKey {
  privateKey: KeyLike;
  jwk: JWK;
}

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

/**
 * A DPoP proof (RFC 9449 §4.2) of `key` for one request: a `jti` never used before, `iat` now and, sent with an
 * access token, its `ath` (base64url SHA-256, computed here rather than borrowed from the gateway's code).
 */
export function dpopProof(key: DpopKey, method: string, url: string, accessToken?: string): Promise<string> {
  const ath = accessToken && createHash('sha256').update(accessToken, 'ascii').digest('base64url');
  return new SignJWT({
    jti: randomBytes(16).toString('base64url'),
    htm: method,
    htu: url,
    iat: Math.floor(Date.now() / 1000),
    ...(ath ? { ath } : {})
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .sign(key.privateKey);
}

/**
 * Proofs for the calls of one load run, signed before it starts: the gateway takes each `jti` once and each `iat`
 * only for minutes (§11.1), and signing in the load generator's hot path would make it, not the gateway, the
 * bottleneck. `fill` makes a run's proofs just before that run (outside its measured time); `take` spends them.
 */
export class DpopProofPool {
  private proofs: string[] = [];
  private next = 0;

  /**
   * @param rateCeiling requests/s the run cannot exceed, to size a run of a given duration (an estimate, generous:
   *   a pool spent too soon turns the rest of the run into refusals, which count as failures)
   */
  constructor(
    private readonly key: DpopKey,
    private readonly method: string,
    private readonly url: string,
    private readonly accessToken: string,
    private readonly rateCeiling: number
  ) {}

  /**
   * Fresh proofs for a run of this shape, replacing those left from the run before. Each connection builds its
   * first request when autocannon starts and may have one in flight at the end: two per connection besides.
   */
  async fill(shape: LoadShape): Promise<void> {
    const count = (shape.amount ?? Math.ceil(shape.duration * this.rateCeiling)) + 2 * shape.connections;
    const proofs: string[] = [];
    for (let i = 0; i < count; i++) proofs.push(await dpopProof(this.key, this.method, this.url, this.accessToken));
    [this.proofs, this.next] = [proofs, 0];
  }

  /** The next unspent proof; once all are spent, the last again, which the gateway refuses as a replay. */
  take(): string {
    const proof = this.proofs[Math.min(this.next++, this.proofs.length - 1)];
    if (proof === undefined) throw new Error('no DPoP proofs: fill the pool before the run');
    return proof;
  }
}
