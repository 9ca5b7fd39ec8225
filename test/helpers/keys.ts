import { generateKeyPairSync, KeyObject } from 'crypto';
import { SignJWT } from 'jose';

/** A key pair generated for a test run, as PEM text for configs and key objects for signing. */
export interface TestKeyPair {
  privatePem: string;
  publicPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function pair(generated: { privateKey: KeyObject; publicKey: KeyObject }): TestKeyPair {
  return {
    ...generated,
    privatePem: generated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: generated.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  };
}

export const rsaKeyPair = () => pair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const ecKeyPair = () => pair(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
export const edKeyPair = () => pair(generateKeyPairSync('ed25519'));

const b64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT signed by the test, with claims relative to now (seconds). */
export function signJwt(
  key: KeyObject | Uint8Array,
  header: { alg: string; kid?: string; typ?: string },
  claims: Record<string, unknown>
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

/** An unsigned JWT (`alg: none`), which no verifier of ours may accept. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** A JWT with its payload swapped after signing: the signature no longer matches. */
export function tamperedJwt(jwt: string, claims: Record<string, unknown>): string {
  const [header, , signature] = jwt.split('.');
  return `${header}.${b64url(claims)}.${signature}`;
}

export const now = () => Math.floor(Date.now() / 1000);
