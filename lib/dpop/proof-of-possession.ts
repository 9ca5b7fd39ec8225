import type { Request } from 'express';
import { DpopRefused, InvalidToken } from '../errors';
import { type ClientCertificates, UnreadableCertificate } from '../mtls/client-certificate';
import type { ValidatedToken } from '../tokens/validated-token';
import { dpopHeaderOf, InvalidDpopProof } from './dpop-proof';
import { type DpopProofs, UseDpopNonce } from './dpop-proofs';

/** Whether the Authorization header uses the DPoP scheme (RFC 9449 §7.1; schemes are case-insensitive). */
export const usesDpopScheme = (req: Request) => /^dpop /i.test(req.headers.authorization ?? '');

/** A proof failure as the resource answers it: 401 with a DPoP challenge (§7.1), with the nonce to use (§9). */
function refusedProof(err: unknown): unknown {
  if (err instanceof UseDpopNonce) return new DpopRefused('use_dpop_nonce', err.reason, err.nonce);
  return err instanceof InvalidDpopProof ? new DpopRefused('invalid_dpop_proof', err.reason) : err;
}

/**
 * The URLs a request may have been sent to, as its proof's `htu` names them (§4.3 item 9): its path at the
 * gateway's public origins, never one the request itself names (a Host header would let a proof made for
 * another server be replayed here).
 */
function requestUrls(req: Request, origins: readonly string[]): string[] {
  const path = req.originalUrl || req.url;
  return origins.map((origin) => origin + path);
}

/**
 * The resource side of sender-constrained tokens. DPoP (RFC 9449 §7): a token bound to a key (`cnf.jkt`) is taken
 * only with the DPoP scheme and a proof of that key for this request (method, URL, `ath`), used once on every
 * instance; never as a bearer token (§7.2). A DPoP-scheme request with a token bound to no key is refused too: the
 * client believes its token bound, and it is not. Mutual TLS (RFC 8705 §3): a token bound to a certificate
 * (`cnf.x5t#S256`) is taken only from a client presenting that certificate.
 */
export class ProofOfPossession {
  /** The gateway's public origins: the issuer's, and those of dpop.origins. */
  private readonly origins: string[];

  constructor(
    private readonly proofs: DpopProofs,
    private readonly certificates: ClientCertificates,
    issuer: string,
    otherOrigins: readonly string[],
    /** FAPI 2.0 (§5.3.3): a token bound to no key or certificate is not taken at all. */
    readonly boundOnly = false
  ) {
    this.origins = [...new Set([new URL(issuer).origin, ...otherOrigins.map((origin) => new URL(origin).origin)])];
  }

  /**
   * What a refusal's challenge says of DPoP (RFC 9449 §7.1): the algorithms taken, whether bound tokens alone are, and
   * whether the request used the DPoP scheme (read before the token was taken from the request).
   */
  challenge(dpopScheme: boolean) {
    // Where certificate-bound tokens are taken too (mTLS), the Bearer scheme stays on offer.
    const dpopOnly = this.boundOnly && !this.certificates.available;
    return { scheme: dpopScheme, algorithms: this.proofs.algorithms, boundOnly: dpopOnly };
  }

  /** RFC 8705 §3: a certificate-bound token is refused 401 invalid_token without the certificate it names. */
  private requireCertificate(req: Request, x5t: string): void {
    let presented;
    try {
      presented = this.certificates.of(req);
    } catch (err) {
      throw err instanceof UnreadableCertificate ? new InvalidToken(err.message) : err;
    }
    if (!presented)
      throw new InvalidToken('The access token is bound to a TLS client certificate: present that certificate');
    if (presented.thumbprint !== x5t)
      throw new InvalidToken('The access token is bound to another TLS client certificate than the one presented');
  }

  /**
   * @param dpopScheme whether the token came with the DPoP scheme (read before the token is taken from the request)
   * @throws DpopRefused saying what is missing or wrong.
   */
  async check(req: Request, token: string, validated: ValidatedToken, dpopScheme: boolean): Promise<void> {
    if (validated.x5t) this.requireCertificate(req, validated.x5t);
    if (!validated.jkt) {
      if (dpopScheme) throw new DpopRefused('invalid_token', 'The access token is not bound to a DPoP key');
      if (this.boundOnly && !validated.x5t && this.certificates.available)
        throw new InvalidToken(
          'Only sender-constrained access tokens (DPoP or certificate-bound) are taken here (FAPI 2.0): this one is ' +
            'bound to nothing'
        );
      if (this.boundOnly && !validated.x5t)
        throw new DpopRefused(
          'invalid_token',
          'Only DPoP-bound access tokens are taken here (FAPI 2.0): this one is a bearer token'
        );
      return;
    }
    if (!dpopScheme) {
      throw new DpopRefused(
        'invalid_token',
        'The access token is bound to a DPoP key: send it with the DPoP scheme and a proof of that key'
      );
    }
    let proof: string | undefined;
    try {
      proof = dpopHeaderOf(req);
    } catch (err) {
      throw refusedProof(err);
    }
    if (proof === undefined) throw new DpopRefused('invalid_dpop_proof', 'A DPoP proof must come with this token');
    const taken = await this.proofs
      .take(proof, { method: req.method, url: requestUrls(req, this.origins), accessToken: token })
      .catch((err) => {
        throw refusedProof(err);
      });
    if (taken.jkt !== validated.jkt)
      throw new DpopRefused('invalid_token', 'The DPoP proof is signed by another key than the token is bound to');
    // §9: a newer nonce may come with the resource's answer (express links each request to its response).
    if (taken.nextNonce) req.res?.setHeader('DPoP-Nonce', taken.nextNonce);
  }
}
