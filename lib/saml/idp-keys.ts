import { createPublicKey, KeyObject, X509Certificate } from 'crypto';

/** A trusted identity provider: its entity id (the assertion's `<Issuer>`) and signing keys. */
export interface TrustedIdp {
  issuer: string;
  keys: KeyObject[];
}

/** RFC 7468 §2: one PEM block, label repeated at both ends. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The smallest RSA modulus accepted: NIST SP 800-131A disallows shorter ones for signatures,
 * and an IdP key is a long-lived trust anchor.
 */
const MIN_RSA_BITS = 2048;

function keyOf(label: string, block: string): KeyObject {
  try {
    if (label === 'CERTIFICATE') return new X509Certificate(block).publicKey;
    if (label === 'PUBLIC KEY') return createPublicKey({ key: block, format: 'pem' });
  } catch (err) {
    throw new TypeError(`the IdP ${label.toLowerCase()} cannot be read: ${(err as Error).message}`);
  }
  if (label.includes('PRIVATE')) {
    throw new TypeError('an IdP signing key must be a certificate or a public key, never a private key');
  }
  throw new TypeError(`an IdP signing key must be a CERTIFICATE or PUBLIC KEY PEM block, not ${label}`);
}

/**
 * Only RSA keys, because xml-crypto 6 verifies only RSA signatures (rsa-sha256, rsa-sha512):
 * an EC key could never verify anything, so it is refused at start rather than at the first
 * request. The certificate's validity dates are not checked: SAML metadata certificates are
 * key containers whose trust comes from configuration, as the SAML V2.0 Metadata
 * Interoperability Profile treats them.
 */
function checkKey(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`an IdP signing key must be an RSA key, not ${key.asymmetricKeyType ?? key.type}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new TypeError(`an IdP RSA key must have at least ${MIN_RSA_BITS} bits, not ${bits}`);
  return key;
}

/**
 * Loads the signing keys of an IdP from PEM text: one or more X.509 certificates
 * (`BEGIN CERTIFICATE`) and/or public keys (`BEGIN PUBLIC KEY`), as found in its metadata.
 * Several keys allow a key rollover. Text between blocks (e.g. OpenSSL's `subject=` lines)
 * is ignored. Synchronous, so it can run in the plugin's `init`.
 *
 * @throws TypeError naming the problem: no PEM block, a private key, another kind of block,
 *   an unreadable block, a non-RSA key or an RSA key under 2048 bits.
 */
export function loadIdpKeys(pem: string): KeyObject[] {
  if (typeof pem !== 'string') throw new TypeError('IdP signing keys must be PEM text');
  const keys = [...pem.matchAll(PEM_BLOCK)].map(([block, label = '']) => checkKey(keyOf(label, block)));
  if (keys.length === 0) throw new TypeError('no PEM certificate or public key found in the IdP signing keys');
  return keys;
}
