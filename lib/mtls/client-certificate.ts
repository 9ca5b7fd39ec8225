import { createHash, X509Certificate } from 'crypto';
import type { Request } from 'express';
import type { TLSSocket } from 'tls';
import type { GatewayConfig } from '../eg/types';
import { isIPv6 } from 'net';
import type { Settings } from '../settings';

/** A certificate header that does not read as one certificate: the terminator in front is misconfigured. */
export class UnreadableCertificate extends Error {}

/** A client's TLS certificate (RFC 8705 §2), as the gateway's TLS or a trusted terminator saw it. */
export class PresentedCertificate {
  /** RFC 8705 §3.1 `x5t#S256`: the base64url SHA-256 of the certificate's DER encoding, which a bound token names. */
  readonly thumbprint: string;

  constructor(
    /** The certificate, parsed. */
    readonly x509: X509Certificate
  ) {
    this.thumbprint = createHash('sha256').update(x509.raw).digest('base64url');
  }
}

/** RFC 9440 §2.1: a Structured Field Byte Sequence, `:` base64 `:`; one of them, nothing around it. */
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;

/** Whether the gateway's own https server asks clients for a certificate (EG passes `https.options` to Node). */
export function gatewayRequestsCertificates(gateway: GatewayConfig): boolean {
  const https = (gateway as { https?: { tls?: unknown; options?: { requestCert?: unknown } } }).https;
  return Boolean(https?.tls) && https?.options?.requestCert === true;
}

/**
 * An address in one spelling: IPv4 as written (also when IPv4-mapped), IPv6 as the WHATWG URL parser writes it, without
 * a zone.
 */
function sameSpelling(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return mapped;
  const bare = address.replace(/%.*$/, '');
  return isIPv6(bare) ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}

/** The certificate of a header value, parsed (its DER encoding as X.509 reads it, trailing bytes aside). */
function fromHeader(name: string, values: string[]): PresentedCertificate {
  // Two header lines are two certificates: which one the terminator meant is not for the gateway to guess.
  const bytes = values.length === 1 ? BYTE_SEQUENCE.exec(values[0]!.trim())?.[1] : undefined;
  if (bytes === undefined)
    throw new UnreadableCertificate(`The ${name} header does not hold one certificate (RFC 9440)`);
  try {
    return new PresentedCertificate(new X509Certificate(Buffer.from(bytes, 'base64')));
  } catch {
    throw new UnreadableCertificate(`The ${name} header does not hold an X.509 certificate (RFC 9440)`);
  }
}

/**
 * Where client certificates come from (RFC 8705 §2): a header a TLS terminator in front sets (RFC 9440 `Client-Cert`),
 * when `mtls.certificateHeader` names one, or else the TLS connection to the gateway itself. Never both: behind a
 * terminator, the peer of the connection is the terminator.
 */
export class ClientCertificates {
  private readonly header: string;
  /** The terminators' addresses, in one spelling; none: every peer. */
  private readonly proxies: Set<string>;

  constructor(
    settings: Pick<Settings, 'mtls'>,
    /** Whether the gateway's https server asks for client certificates. */
    private readonly gatewayTls: boolean
  ) {
    this.header = settings.mtls.certificateHeader.toLowerCase();
    this.proxies = new Set(settings.mtls.trustedProxies.map(sameSpelling));
  }

  /** Whether a client can present a certificate here at all (what the metadata may offer). */
  get available(): boolean {
    return this.header !== '' || this.gatewayTls;
  }

  /**
   * The certificate the client presented, or null.
   * @throws UnreadableCertificate for a header that is not one certificate, or given twice.
   */
  of(req: Request): PresentedCertificate | null {
    if (this.header) {
      if (this.proxies.size && !this.proxies.has(sameSpelling(req.socket.remoteAddress ?? ''))) return null;
      const values = (req.headersDistinct[this.header] ?? []).filter((value) => value !== '');
      return values.length ? fromHeader(this.header, values) : null;
    }
    const socket = req.socket as Partial<TLSSocket>;
    const certificate =
      typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    return certificate ? new PresentedCertificate(certificate) : null;
  }
}
