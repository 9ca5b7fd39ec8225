import type { NextFunction, Request, Response } from 'express';
import { InvalidDpopProofError, UseDpopNonceError } from '../errors';
import { dpopHeaderOf, InvalidDpopProof } from './dpop-proof';
import { type DpopProofs, UseDpopNonce } from './dpop-proofs';

/**
 * The DPoP proof of a POST to an endpoint of this server (RFC 9449 §5 the token endpoint, §10.1 the PAR endpoint):
 * with one that verifies for `url`, `res.locals.dpopJkt` is its key's thumbprint; one that does not verify, or was used
 * before, is 400 `invalid_dpop_proof`; one without the current nonce where nonces are required, `use_dpop_nonce` with
 * the nonce (§8). A request without a proof goes on as it is.
 */
export function dpopProofStep(dpopProofs: DpopProofs, url: string | readonly string[]) {
  return function checkDpopProof(req: Request, res: Response, next: NextFunction): void {
    let proof: string | undefined;
    try {
      proof = dpopHeaderOf(req);
    } catch (err) {
      return next(new InvalidDpopProofError((err as InvalidDpopProof).reason));
    }
    if (proof === undefined) return next();
    dpopProofs
      .take(proof, { method: 'POST', url })
      .then((taken) => {
        res.locals.dpopJkt = taken.jkt;
        // §8.2: a newer nonce may come with any response.
        if (taken.nextNonce) res.set('DPoP-Nonce', taken.nextNonce);
        next();
      })
      .catch((err) => {
        if (err instanceof UseDpopNonce) return next(new UseDpopNonceError(err.reason, err.nonce));
        next(err instanceof InvalidDpopProof ? new InvalidDpopProofError(err.reason) : err);
      });
  };
}
