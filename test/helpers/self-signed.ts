import { execFileSync } from 'child_process';
import type { KeyObject } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * A certificate for `key` made by openssl, self-signed, valid two days, in PEM.
 * @param subject the common name
 * @param extensions `-addext` values (e.g. `subjectAltName=IP:127.0.0.1`)
 */
export function selfSignedCertificate(key: KeyObject, subject: string, extensions: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'self-signed-'));
  try {
    writeFileSync(join(dir, 'key.pem'), key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const added = extensions.flatMap((extension) => ['-addext', extension]);
    execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-days', '2', '-sha256', '-subj', `/CN=${subject}`].concat(
        added,
        ['-out', join(dir, 'cert.pem')]
      ),
      { stdio: 'pipe' }
    );
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
