import { X509Certificate } from 'crypto';
import fs from 'fs';
import path from 'path';
import { SettingsError } from '../settings';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Whether a certificate is within its validity period at this time (ms). */
export function validAt(certificate: X509Certificate, now: number): boolean {
  return Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo);
}

/**
 * The CAs that issue client certificates for `tls_client_auth` (setting `mtls.ca`, a PEM file), read at start.
 * @throws SettingsError for a file that cannot be read, holds no certificate, or one that is not a CA's.
 */
export function loadCertificateAuthorities(file: string): X509Certificate[] {
  if (!file) return [];
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (err) {
    throw new SettingsError(`plugins.oauth2.mtls.ca cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new SettingsError(`plugins.oauth2.mtls.ca holds no PEM certificate: ${file}`);
  return blocks.map((block, index) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (err) {
      throw new SettingsError(
        `plugins.oauth2.mtls.ca: certificate ${index + 1} cannot be read (${(err as Error).message})`
      );
    }
    const named = `certificate ${index + 1} (${(certificate.subject ?? '').replace(/\n/g, ', ')})`;
    if (!certificate.ca) throw new SettingsError(`plugins.oauth2.mtls.ca: ${named} is not a CA's`);
    if (!validAt(certificate, Date.now()))
      throw new SettingsError(`plugins.oauth2.mtls.ca: ${named} is outside its validity (${certificate.validTo})`);
    return certificate;
  });
}

/**
 * Whether one of the CAs issued a certificate: its issuer name and key identifiers point at the CA (OpenSSL's check),
 * the CA's key verifies its signature, and both are within their validity now.
 */
export function issuedByOneOf(certificate: X509Certificate, authorities: readonly X509Certificate[]): boolean {
  const now = Date.now();
  if (!validAt(certificate, now)) return false;
  return authorities.some((authority) => {
    try {
      return validAt(authority, now) && certificate.checkIssued(authority) && certificate.verify(authority.publicKey);
    } catch {
      return false; // a signature OpenSSL cannot check proves nothing
    }
  });
}
