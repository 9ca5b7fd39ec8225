import type { KeyObject, X509Certificate } from 'crypto';
import type { Request } from 'express';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import type { Client } from '../clients/client';
import type { EgApplication, GatewayConfig } from '../eg/types';
import { InvalidClient, InvalidRequest } from '../errors';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import { type Settings, SettingsError } from '../settings';
import { issuedByOneOf, loadCertificateAuthorities } from './certificate-authorities';
import {
  ClientCertificates,
  gatewayRequestsCertificates,
  type PresentedCertificate,
  UnreadableCertificate
} from './client-certificate';
import { subjectMatches } from './distinguished-name';

/** RFC 8705 §2: the two ways a client authenticates with its TLS certificate. */
export const MTLS_AUTH_METHODS = ['tls_client_auth', 'self_signed_tls_client_auth'] as const;
export type MtlsAuthMethod = (typeof MTLS_AUTH_METHODS)[number];

/**
 * How an app authenticates with a certificate, if it does: the mTLS method its `tokenEndpointAuthMethod` names, or
 * `tls_client_auth` for an app naming the subject of its certificate (`tlsClientAuthSubjectDn`) and no other method.
 */
export function mtlsMethodOf(app: EgApplication): MtlsAuthMethod | null {
  const registered = app.tokenEndpointAuthMethod;
  if ((MTLS_AUTH_METHODS as readonly unknown[]).includes(registered)) return registered as MtlsAuthMethod;
  const subject = typeof app.tlsClientAuthSubjectDn === 'string' && app.tlsClientAuthSubjectDn.trim() !== '';
  return subject && (registered === undefined || registered === '') ? 'tls_client_auth' : null;
}

const failed = (reason: string, detail?: string) =>
  new InvalidClient(`Client authentication failed: ${reason}`, detail);

/** RFC 5280 §4.2.1.12 purposes: TLS client authentication, and any. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_PURPOSE = '2.5.29.37.0';

/** The certificate's public key; a key of a type Node cannot read is no key a client registered. */
function publicKeyOf(certificate: PresentedCertificate): KeyObject {
  try {
    return certificate.x509.publicKey;
  } catch {
    throw failed("the certificate's key is of a type this server cannot read");
  }
}

/**
 * Client authentication with a TLS client certificate (RFC 8705 §2), for a client that sends its client_id and no other
 * credential. `tls_client_auth` (§2.1): a CA of `mtls.ca` issued the certificate, and its subject is the one the app
 * registered. `self_signed_tls_client_auth` (§2.2): the certificate's key is one the app registered (`jwks`,
 * `jwksUri`). Either way the TLS handshake, the gateway's or the terminator's, proved the client holds its key.
 */
export class TlsClientAuthentication {
  constructor(
    readonly certificates: ClientCertificates,
    private readonly authorities: readonly X509Certificate[],
    private readonly trust: JwtAssertionTrust
  ) {}

  /** The methods offered (the metadata's): none without a certificate source, tls_client_auth only with mtls.ca. */
  get methods(): MtlsAuthMethod[] {
    if (!this.certificates.available) return [];
    return this.authorities.length ? [...MTLS_AUTH_METHODS] : ['self_signed_tls_client_auth'];
  }

  /**
   * @returns the client, authenticated with `method`.
   * @throws InvalidClient saying which check failed; InvalidRequest for a certificate header that cannot be read.
   */
  async authenticate(req: Request, client: Client, method: MtlsAuthMethod): Promise<Client> {
    const certificate = this.presented(req);
    if (!certificate) throw failed(`this client authenticates with ${method}: present its TLS client certificate`);
    if (method === 'tls_client_auth') this.checkIssuedSubject(certificate, client);
    else await this.checkRegisteredKey(certificate, client);
    return { ...client, authMethod: method };
  }

  private presented(req: Request): PresentedCertificate | null {
    try {
      return this.certificates.of(req);
    } catch (err) {
      if (err instanceof UnreadableCertificate) throw new InvalidRequest(err.message);
      throw err;
    }
  }

  private checkIssuedSubject(certificate: PresentedCertificate, client: Client): void {
    if (!this.authorities.length) throw failed('tls_client_auth is not offered here (no mtls.ca)');
    const registered = client.app.tlsClientAuthSubjectDn;
    if (typeof registered !== 'string' || !registered.trim())
      throw failed('the client registered no certificate subject (tlsClientAuthSubjectDn)');
    const { x509 } = certificate;
    if (!issuedByOneOf(x509, this.authorities))
      throw failed('the certificate is not issued by a CA trusted for tls_client_auth, or is outside its validity');
    // RFC 5280 §4.2.1.12: a certificate whose extended key usage is listed serves those purposes only.
    const purposes = x509.keyUsage;
    if (purposes?.length && !purposes.includes(CLIENT_AUTH) && !purposes.includes(ANY_PURPOSE))
      throw failed('the certificate is not for TLS client authentication (its extended key usage)');
    // An empty subject (a certificate naming its client in subjectAltName alone) is printed as nothing by Node.
    if (typeof x509.subject !== 'string' || !subjectMatches(x509.subject, registered))
      throw failed("the certificate's subject is not the one the client registered");
  }

  private async checkRegisteredKey(certificate: PresentedCertificate, client: Client): Promise<void> {
    try {
      const verifier = this.trust.forClient(client);
      if (!verifier) throw failed('the client registered no keys (jwks or jwksUri) its certificate could match');
      const key = publicKeyOf(certificate);
      const matches = async (again: boolean) => (await verifier.publicKeys(again)).some((known) => known.equals(key));
      if (!(await matches(false)) && !(await matches(true)))
        throw failed("the certificate's key is not one the client registered");
    } catch (err) {
      if (err instanceof JwtRejected) throw failed(err.reason, err.detail);
      if (err instanceof JwtKeysUnavailable)
        throw failed("the client's registered keys could not be fetched", err.message);
      throw err;
    }
  }
}

/**
 * The CAs of `tls_client_auth`, once the mutual TLS settings are checked against where certificates can come from.
 * @throws SettingsError for a certificate header beside the gateway's own client certificates, CAs or an alias origin
 * where no certificate can reach the gateway, or a CA file that does not load.
 */
export function mtlsAuthorities(settings: Settings, gateway: GatewayConfig): X509Certificate[] {
  const gatewayTls = gatewayRequestsCertificates(gateway);
  const { certificateHeader, ca, endpointOrigin } = settings.mtls;
  if (certificateHeader && gatewayTls)
    throw new SettingsError(
      'plugins.oauth2.mtls.certificateHeader is set and https.options.requestCert too: the certificate comes from a ' +
        "TLS terminator's header or from the gateway's own TLS, not both (leave one)"
    );
  const unreachable = !certificateHeader && !gatewayTls;
  const needless = ca ? 'ca' : endpointOrigin ? 'endpointOrigin' : undefined;
  if (unreachable && needless)
    throw new SettingsError(
      `plugins.oauth2.mtls.${needless} is set, but no client certificate can reach the gateway: set ` +
        'mtls.certificateHeader (behind a TLS terminator) or https.options.requestCert in gateway.config.yml'
    );
  return loadCertificateAuthorities(ca);
}

/**
 * TLS client authentication as the settings and the gateway's https server make it.
 * @throws SettingsError as mtlsAuthorities does.
 */
export function tlsClientAuthentication(
  settings: Settings,
  gateway: GatewayConfig,
  trust: JwtAssertionTrust
): TlsClientAuthentication {
  const authorities = mtlsAuthorities(settings, gateway);
  return new TlsClientAuthentication(
    new ClientCertificates(settings, gatewayRequestsCertificates(gateway)),
    authorities,
    trust
  );
}
