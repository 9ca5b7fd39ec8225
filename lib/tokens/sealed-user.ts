import { createSecretKey, hkdfSync, KeyObject } from 'crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

/** Binds the derived key to this one use of the pairwise secret. */
const KEY_INFO = 'express-gateway-plugin-oauth2: the user id in opaque access tokens of pairwise clients';

/**
 * The user id an opaque access token carries, sealed for a pairwise client (OpenID Connect Core §8.1): that client
 * must not read the user's id from its tokens, yet the gateway reads it from the token, as for any other, to check
 * the user in the same round trip as the token. A compact JWE (`dir`, A256GCM, jose) under a key derived from
 * `oidc.pairwiseSecret` by HKDF: confidential and tamper-evident, and never the same twice.
 */
export class SealedUsers {
  private readonly key: KeyObject | null;

  constructor(pairwiseSecret: string | undefined) {
    this.key =
      pairwiseSecret === undefined
        ? null
        : createSecretKey(Buffer.from(hkdfSync('sha256', pairwiseSecret, '', KEY_INFO, 32)));
  }

  /** @throws Error without `oidc.pairwiseSecret` (Subjects refuses such a client before anything is issued). */
  seal(userId: string): Promise<string> {
    if (!this.key) return Promise.reject(new Error('oidc.pairwiseSecret is not set'));
    return new CompactEncrypt(new TextEncoder().encode(userId))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.key);
  }

  /** The user id sealed here; null for anything else, or when the secret is gone or changed. */
  async open(sealed: string): Promise<string | null> {
    if (!this.key) return null;
    try {
      const { plaintext } = await compactDecrypt(sealed, this.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM']
      });
      return new TextDecoder().decode(plaintext);
    } catch {
      return null;
    }
  }
}
