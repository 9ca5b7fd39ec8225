import type { ReplayGuard } from '../store/replay.guard';
import {
  DPOP_IAT_WINDOW_S,
  type DpopProof,
  InvalidDpopProof,
  type ProofExpectation,
  verifyDpopProof
} from './dpop-proof';
import type { DpopNonces } from './dpop-nonces';

/**
 * A proof that lacks the nonce this server wants, or names one it did not give or that expired (RFC 9449 §8,
 * §9): `use_dpop_nonce`, answered with the nonce to use in `DPoP-Nonce`.
 */
export class UseDpopNonce extends InvalidDpopProof {
  constructor(
    reason: string,
    readonly nonce: string
  ) {
    super(reason);
  }
}

/** A proof taken: its key and, when the client should use a newer nonce from now on, that nonce (§8.2). */
export interface TakenProof extends DpopProof {
  nextNonce?: string | undefined;
}

/**
 * Everything a DPoP proof must pass, at the token endpoint and at a resource alike: verifyDpopProof, the server
 * nonce (required with `dpop.requireNonce`; checked whenever a proof names one), and single use (§11.1) on every
 * instance: its `jti`, per key, kept hashed in the store for as long as its `iat` keeps it acceptable.
 */
export class DpopProofs {
  constructor(
    private readonly replays: ReplayGuard,
    private readonly nonces: DpopNonces,
    private readonly requireNonce: boolean,
    /** The proof algorithms taken (`dpop_signing_alg_values_supported`). */
    readonly algorithms: readonly string[],
    /** Seconds a proof's `iat` may lie ahead of now. */
    private readonly maxFuture?: number | undefined
  ) {}

  /** @throws InvalidDpopProof (UseDpopNonce for the nonce) naming the failed check. */
  async take(proof: unknown, expected: ProofExpectation): Promise<TakenProof> {
    const verified = await verifyDpopProof(proof, {
      algorithms: this.algorithms,
      maxFuture: this.maxFuture,
      ...expected
    });
    const standing = verified.nonce === undefined ? 'missing' : this.nonces.standing(verified.nonce);
    if (standing === 'invalid')
      throw new UseDpopNonce(
        'The DPoP proof names a nonce that is not current: use the one given',
        this.nonces.current()
      );
    if (standing === 'missing' && this.requireNonce)
      throw new UseDpopNonce('The DPoP proof must carry the server nonce given in DPoP-Nonce', this.nonces.current());
    const first = await this.replays.firstUse(`dpop ${verified.jkt}`, verified.jti, verified.iat, DPOP_IAT_WINDOW_S);
    if (!first) throw new InvalidDpopProof('The DPoP proof was used before (jti)');
    return standing === 'previous' ? { ...verified, nextNonce: this.nonces.current() } : verified;
  }
}
