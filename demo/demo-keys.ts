import { generateKeyPairSync } from 'crypto';
import type { DemoDir } from './demo-dir';

/** Keys the demo makes at every start; use your own key files in production. */
export interface DemoKeys {
  /** P-256 private key signing JWT access tokens (`DEMO_TOKEN_FORMAT=jwt`). */
  signingKeyFile: string;
  /** RSA 2048 private key signing ID tokens (OpenID Connect Core §15.1: RS256). */
  idTokenKeyFile: string;
  /** A trusted JWT bearer assertion issuer (RFC 7523): the gateway gets the public half, the sample the private one. */
  assertionIssuer: { issuer: string; kid: string; alg: 'ES256'; privateKeyFile: string; publicKeyFile: string };
  /** A trusted SAML identity provider (RFC 7522), RSA 2048 as the plugin requires. */
  samlIdp: { entityId: string; privateKeyFile: string; publicKeyFile: string };
}

const pkcs8 = (key: { export(options: { type: 'pkcs8'; format: 'pem' }): string | Buffer }) =>
  key.export({ type: 'pkcs8', format: 'pem' });
const spki = (key: { export(options: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
  key.export({ type: 'spki', format: 'pem' });

/** Fresh keys in the demo's private folder (RSA keygen takes a moment, once per start). */
export function generateDemoKeys(dir: DemoDir): DemoKeys {
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const idp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const idTokens = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    signingKeyFile: dir.writeKey('signing-key.pem', pkcs8(signing.privateKey)),
    idTokenKeyFile: dir.writeKey('id-token-key.pem', pkcs8(idTokens.privateKey)),
    assertionIssuer: {
      issuer: 'https://issuer.demo.example',
      kid: 'demo-issuer-es256',
      alg: 'ES256',
      privateKeyFile: dir.writeKey('jwt-issuer-private.pem', pkcs8(issuer.privateKey)),
      publicKeyFile: dir.writeKey('jwt-issuer-public.pem', spki(issuer.publicKey))
    },
    samlIdp: {
      entityId: 'https://idp.demo.example/saml',
      privateKeyFile: dir.writeKey('saml-idp-private.pem', pkcs8(idp.privateKey)),
      // A PUBLIC KEY PEM stands in for the IdP's certificate: only its key is used.
      publicKeyFile: dir.writeKey('saml-idp-public.pem', spki(idp.publicKey))
    }
  };
}
