import { InvalidGrant, InvalidTarget } from '../errors';
import { canonicalResource, isResourceIdentifier } from './resource-identifier';
import type { ProtectedResources } from './protected-resources';

/** More than a client could mean: a token for this many APIs is a token for none in particular. */
const MAX_RESOURCES = 10;

const shown = (value: unknown) => (typeof value === 'string' ? value.slice(0, 100) : `a ${typeof value}`);

/**
 * The `resource` parameters of authorization and token requests (RFC 8707 §2): each an http(s) URL without a
 * fragment naming a resource this server issues tokens for, repeated for several.
 */
export class ResourceIndicators {
  constructor(private readonly resources: ProtectedResources) {}

  /**
   * The resources a request names, in their canonical spelling, in order and without repeats; undefined when it
   * names none.
   * @throws InvalidTarget for a malformed or unknown one.
   */
  requested(value: unknown): string[] | undefined {
    if (value === undefined) return undefined;
    const listed = [value].flat();
    if (listed.length > MAX_RESOURCES) throw new InvalidTarget(`At most ${MAX_RESOURCES} resources may be requested`);
    const canonical = listed.map((resource) => {
      if (!isResourceIdentifier(resource))
        throw new InvalidTarget(`The resource "${shown(resource)}" is not an http(s) URL without a fragment`);
      const spelled = canonicalResource(resource);
      if (!this.resources.isIssuable(spelled))
        throw new InvalidTarget(`The resource "${shown(resource)}" is not one this server issues tokens for`);
      return spelled;
    });
    return [...new Set(canonical)];
  }

  /**
   * The resources a token of a grant is for (RFC 8707 §2.2): those a token request names, which must be among the
   * grant's, else all of the grant's still served. A grant for none, whose tokens every pipeline without a named
   * resource takes, may be narrowed to such pipelines' resources; a named one's tokens need the user to have
   * authorized it, so the client must start again (invalid_grant, which clients answer with a new authorization).
   * @throws InvalidTarget for one beyond the grant, or a grant whose resources are all gone from the gateway.
   * @throws InvalidGrant for a named resource the grant, authorized for none, never covered.
   */
  narrowed(requested: string[] | undefined, granted: string[]): string[] {
    const served = granted.filter((resource) => this.resources.isIssuable(resource));
    if (granted.length > 0 && served.length === 0)
      throw new InvalidTarget('The resources of this grant are no longer served by this gateway');
    if (requested === undefined) return served;
    if (granted.length === 0) {
      const named = requested.find((resource) => this.resources.isNamed(resource));
      if (named !== undefined)
        throw new InvalidGrant(`The grant was not authorized for the resource "${shown(named)}"; authorize again`);
      return requested;
    }
    const beyond = requested.find((resource) => !served.includes(resource));
    if (beyond !== undefined) throw new InvalidTarget(`The grant does not cover the resource "${shown(beyond)}"`);
    return requested;
  }
}

/** What a token request asks of resources, as the grants read it (TokenRequestInfo). */
export interface ResourceRequest {
  /** The resources it names, checked; undefined when it names none. */
  requested: string[] | undefined;
  /** The resources of its token, from the grant's (see ResourceIndicators.narrowed). @throws InvalidTarget */
  within(granted: string[]): string[];
}

/** A token request naming no resource, where no gateway configuration is at hand. */
export const NO_RESOURCE: ResourceRequest = { requested: undefined, within: (granted) => granted };

/** @throws InvalidTarget for a malformed or unknown resource. */
export function resourceRequest(indicators: ResourceIndicators, value: unknown): ResourceRequest {
  const requested = indicators.requested(value);
  return { requested, within: (granted) => indicators.narrowed(requested, granted) };
}
