import { InvalidTarget } from '../errors';
import { isResourceIdentifier } from './resource-identifier';
import type { ProtectedResources } from './protected-resources';

/** More than a client could mean: a token for this many APIs is a token for none in particular. */
const MAX_RESOURCES = 10;

const shown = (value: unknown) => String(value).slice(0, 100);

/**
 * The `resource` parameters of authorization and token requests (RFC 8707 §2): each an http(s) URL without a
 * fragment naming a resource this server issues tokens for, repeated for several.
 */
export class ResourceIndicators {
  constructor(private readonly resources: ProtectedResources) {}

  /**
   * The resources a request names, in order and without repeats; undefined when it names none.
   * @throws InvalidTarget for a malformed or unknown one.
   */
  requested(value: unknown): string[] | undefined {
    if (value === undefined) return undefined;
    const listed = [value].flat();
    if (listed.length > MAX_RESOURCES) throw new InvalidTarget(`At most ${MAX_RESOURCES} resources may be requested`);
    for (const resource of listed) {
      if (!isResourceIdentifier(resource))
        throw new InvalidTarget(`The resource "${shown(resource)}" is not an http(s) URL without a fragment`);
      if (!this.resources.isIssuable(resource))
        throw new InvalidTarget(`The resource "${shown(resource)}" is not one this server issues tokens for`);
    }
    return [...new Set(listed as string[])];
  }

  /**
   * The resources a token of a grant is for: those a token request names, which must be among the grant's (RFC 8707
   * §2.2: a token may be narrowed to fewer, never widened), else all of the grant's still served. A grant for none
   * gives tokens for none: naming one then would be a token its user never saw asked for.
   * @throws InvalidTarget for one beyond the grant, or a grant whose resources are all gone from the gateway.
   */
  narrowed(requested: string[] | undefined, granted: string[]): string[] {
    const served = granted.filter((resource) => this.resources.isIssuable(resource));
    if (granted.length > 0 && served.length === 0)
      throw new InvalidTarget('The resources of this grant are no longer served by this gateway');
    if (requested === undefined) return served;
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
