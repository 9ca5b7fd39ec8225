import { execFileSync } from 'child_process';
import { createHash, X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A certificate and its private key, in PEM, as a TLS client presents them. */
export interface TestCertificate {
  cert: string;
  key: string;
  /** RFC 8705 §3.1 `x5t#S256` of the certificate. */
  thumbprint: string;
  /** The public key as a JWK, for an app's `jwks`. */
  jwk: Record<string, unknown>;
}

/** openssl in a scratch folder; the files it writes, read back by name. */
function openssl(runs: string[][], read: string[], inputs: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'client-cert-'));
  try {
    for (const [name, text] of Object.entries(inputs)) writeFileSync(join(dir, name), text, { mode: 0o600 });
    for (const args of runs) execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    return Object.fromEntries(read.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function described(cert: string, key: string): TestCertificate {
  const x509 = new X509Certificate(cert);
  return {
    cert,
    key,
    thumbprint: createHash('sha256').update(x509.raw).digest('base64url'),
    jwk: x509.publicKey.export({ format: 'jwk' }) as Record<string, unknown>
  };
}

const NEW_KEY = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.pem'];

/** A CA (basicConstraints CA:TRUE) named `/CN=<name>`, valid two days. */
export function testCa(name: string): TestCertificate {
  const made = openssl(
    [
      NEW_KEY,
      ['req', '-x509', '-new', '-key', 'key.pem', '-days', '2', '-sha256', '-subj', `/CN=${name}`].concat(
        ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        ['-out', 'cert.pem']
      )
    ],
    ['cert.pem', 'key.pem']
  );
  return described(made['cert.pem']!, made['key.pem']!);
}

/** A minimal `openssl ca` configuration: any subject, the request's extensions kept. */
const CA_CONFIG = `[ca]
default_ca = test
[test]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
[any]
`;

/**
 * A client certificate `ca` issued, valid two days from now, or over `validity` (`YYYYMMDDHHMMSSZ` times).
 * @param subject in openssl's form, `/C=US/O=Example/CN=orders` (the first RDN first); `/` for none
 * @param extensions extension lines (`extendedKeyUsage=serverAuth`); with none the certificate is version 1
 */
export function issuedCertificate(
  ca: TestCertificate,
  subject: string,
  options: { extensions?: string[]; validity?: [string, string] } = {}
): TestCertificate {
  const extfile = options.extensions?.length ? ['-extfile', 'ext.cnf'] : [];
  const sign = options.validity
    ? ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca-key.pem', '-in', 'req.pem'].concat(
        ['-startdate', options.validity[0], '-enddate', options.validity[1], '-out', 'cert.pem'],
        extfile
      )
    : [
        'x509',
        '-req',
        '-in',
        'req.pem',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-days',
        '2'
      ].concat(['-sha256', '-out', 'cert.pem'], extfile);
  const made = openssl(
    [
      NEW_KEY,
      ['req', '-new', '-utf8', '-key', 'key.pem', '-subj', subject, '-multivalue-rdn', '-out', 'req.pem'],
      sign
    ],
    ['cert.pem', 'key.pem'],
    {
      'ca.pem': ca.cert,
      'ca-key.pem': ca.key,
      'ext.cnf': (options.extensions ?? []).join('\n') + '\n',
      'ca.cnf': CA_CONFIG,
      'index.txt': '',
      serial: '01\n'
    }
  );
  return described(made['cert.pem']!, made['key.pem']!);
}

/** A self-signed client certificate (RFC 8705 §2.2), named `/CN=<name>`. */
export function selfSignedClientCertificate(name: string): TestCertificate {
  const made = openssl(
    [
      NEW_KEY,
      ['req', '-x509', '-new', '-key', 'key.pem', '-days', '2', '-sha256', '-subj', `/CN=${name}`, '-out', 'cert.pem']
    ],
    ['cert.pem', 'key.pem']
  );
  return described(made['cert.pem']!, made['key.pem']!);
}

/** A certificate as the RFC 9440 `Client-Cert` header carries it: `:` base64 DER `:`. */
export const clientCertHeader = (certificate: TestCertificate) =>
  `:${new X509Certificate(certificate.cert).raw.toString('base64')}:`;

/** A PEM file of these blocks (certificates for `mtls.ca`, a key for EG's https) in a fresh temporary folder. */
export function pemFile(...blocks: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pem-')), 'file.pem');
  writeFileSync(file, blocks.join(''), { mode: 0o600 });
  return file;
}
