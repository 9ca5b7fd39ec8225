import { generateKeyPairSync } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { selfSignedCertificate } from './self-signed';

/** A key and self-signed certificate for https on 127.0.0.1, and the file a process trusts it from. */
export interface LoopbackTls {
  key: string;
  cert: string;
  /** The certificate's file, for NODE_EXTRA_CA_CERTS of a gateway that must trust the server. */
  certFile: string;
}

let made: LoopbackTls | undefined;

/**
 * An EC key and a certificate for IP 127.0.0.1, once per test process (its file left in the temporary folder for
 * the processes trusting it): https servers of client URLs, which the gateway only fetches over https.
 */
export function loopbackTls(): LoopbackTls {
  if (made) return made;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = selfSignedCertificate(privateKey, '127.0.0.1', ['subjectAltName=IP:127.0.0.1']);
  const certFile = join(mkdtempSync(join(tmpdir(), 'loopback-tls-')), 'cert.pem');
  writeFileSync(certFile, cert);
  made = { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert, certFile };
  return made;
}
