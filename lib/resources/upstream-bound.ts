import { InvalidToken } from '../errors';
import type { ValidatedToken } from '../tokens/validated-token';
import type { ProtectedResources } from './protected-resources';

/**
 * This server's own services (UserInfo, token information) take its tokens meant for no resource or for its
 * pipelines, never one meant for an upstream (a token exchange's audience, RFC 8693): whoever received that one was
 * given it to call that service alone.
 * @throws InvalidToken
 */
export function refuseUpstreamTokens(token: ValidatedToken, resources: ProtectedResources): void {
  if (token.resources.some((resource) => !resources.isIssuable(resource)))
    throw new InvalidToken('The access token is meant for another service');
}
