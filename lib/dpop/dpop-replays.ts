import type { ReplayGuard } from '../store/replay.guard';
import { DPOP_IAT_WINDOW_S, type DpopProof, InvalidDpopProof } from './dpop-proof';

/**
 * Each DPoP proof is used once (RFC 9449 §11.1), on every gateway instance: its `jti`, per key, is
 * kept (hashed, in the store ReplayGuard writes to) for as long as its `iat` keeps it acceptable.
 */
export class DpopReplays {
  constructor(private readonly replays: ReplayGuard) {}

  /** @throws InvalidDpopProof when the proof was used before. */
  async useOnce(proof: DpopProof): Promise<void> {
    const first = await this.replays.firstUse(`dpop ${proof.jkt}`, proof.jti, proof.iat, DPOP_IAT_WINDOW_S);
    if (!first) throw new InvalidDpopProof('The DPoP proof was used before (jti)');
  }
}
