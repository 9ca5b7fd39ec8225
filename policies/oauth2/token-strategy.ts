import type { ValidatedToken } from '../../lib/tokens/validated-token';

/**
 * How a pipeline checks a token. `recall`, when a strategy keeps validated
 * tokens in memory, answers at once for a token it validated recently, or
 * null (then call the strategy itself).
 */
export type TokenStrategy = ((token: string) => Promise<ValidatedToken>) & { recall?: (token: string) => ValidatedToken | null };
