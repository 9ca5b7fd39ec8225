import type { ValidatedToken } from '../tokens/validated-token';
import type { PolicyParams } from '../../schemas/policy.schema';

/**
 * How a pipeline checks a token. `recall`, when a strategy keeps validated
 * tokens in memory, answers at once for a token it validated recently, or
 * null (then call the strategy itself).
 */
export type TokenStrategy = ((token: string) => Promise<ValidatedToken>) & {
  recall?: (token: string) => ValidatedToken | null;
};

/** The jwt or introspection section tokenStrategy names. @throws TypeError when the pipeline left it out. */
export function strategySection<Name extends 'jwt' | 'introspection'>(
  params: PolicyParams,
  name: Name
): NonNullable<PolicyParams[Name]> {
  const section = params[name];
  if (!section) throw new TypeError(`oauth2 policy: tokenStrategy ${name} needs a ${name} section`);
  return section as NonNullable<PolicyParams[Name]>;
}
