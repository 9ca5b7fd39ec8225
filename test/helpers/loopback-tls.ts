import { execFileSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A key and self-signed certificate for https on 127.0.0.1, and the file a process trusts it from. */
export interface LoopbackTls {
  key: string;
  cert: string;
  /** The certificate's file, for NODE_EXTRA_CA_CERTS of a gateway that must trust the server. */
  certFile: string;
}

let made: LoopbackTls | undefined;

/**
 * An EC key and a certificate for IP 127.0.0.1 made by openssl, once per test process (left in the temporary
 * folder for the processes trusting it): https servers of client URLs, which the gateway only fetches over https.
 */
export function loopbackTls(): LoopbackTls {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'loopback-tls-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'key.pem'),
      '-days',
      '2',
      '-sha256',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-out',
      certFile
    ],
    { stdio: 'pipe' }
  );
  made = { key, cert: readFileSync(certFile, 'utf8'), certFile };
  return made;
}
