import type { SystemConfig } from './types';

/**
 * Whether EG runs on its emulated in-memory store (`emulate: true`, or `eg gateway emulate`): one process, no real
 * Redis.
 */
export function isEmulatedStore(system: SystemConfig): boolean {
  return String(system.db?.redis?.emulate) === 'true' || process.argv[2] === 'emulate';
}
