import type { EgLogger } from '../../lib/eg/types';
import type { PolicyParams } from '../../schemas/policy.schema';
import { requireSafeUrl } from '../../lib/strategies/foreign-token';
import { jwtTokenStrategy } from '../../lib/strategies/jwt-token.strategy';
import { strategySection } from '../../lib/strategies/token-strategy';
import { requireResourceIdentifier } from '../../lib/resources/resource-identifier';
import { requireOwnTokens } from '../../lib/token-exchange/upstream-tokens';

const quiet: EgLogger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Builds what the policy would build from a pipeline's parameters, caching
 * and fetching nothing, so that keys that do not load or a section left out
 * stop the gateway at start with the pipeline named, instead of a stack
 * trace while EG builds its pipelines. A `server:` entry is looked up per
 * request (the registry changes at runtime): the check command reports
 * names it cannot find.
 * @throws TypeError saying what is wrong.
 */
export function dryRunPolicy(params: PolicyParams): void {
  requireResourceIdentifier(params.resource);
  requireOwnTokens(params);
  if (params.server) return;
  if (params.tokenStrategy === 'jwt') jwtTokenStrategy(strategySection(params, 'jwt'), null, quiet);
  if (params.tokenStrategy === 'introspection')
    requireSafeUrl(strategySection(params, 'introspection').endpoint, 'introspection.endpoint');
}
