import { createHash, randomFillSync } from 'crypto';

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let used = POOL_SIZE;

/**
 * `size` fresh random bytes (at most POOL_SIZE), base64url. They are cut from a pool one call to the OS CSPRNG fills,
 * as Node's randomUUID does: a call per token cost more than its bytes (randomFillSync was 4-5 % of a token response
 * in the bench profiles). Every byte is handed out once.
 */
export function randomId(size: number): string {
  if (used + size > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString('base64url', used, used + size);
  used += size;
  return id;
}

/** 256 random bits, base64url: well above RFC 6749 §10.10's 128-bit floor. */
export function randomSecret(): string {
  return randomId(32);
}

/** What the store keeps instead of a token or secret: a dump of Redis yields nothing usable. */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
