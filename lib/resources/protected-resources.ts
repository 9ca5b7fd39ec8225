import type { Request } from 'express';
import type { EgLogger, GatewayConfig } from '../eg/types';
import { checkedParams, oauth2Steps } from '../eg/pipeline-params';
import { SettingsError } from '../settings';
import type { PolicyParams } from '../../schemas/policy.schema';
import { canonicalResource, derivedResource, EndpointRoute, metadataUrl } from './resource-identifier';

/** Who issues the tokens a resource accepts: this server, another issuer named in the pipeline, or a registry entry. */
export type ResourceAuthority =
  { kind: 'local' } | { kind: 'issuer'; issuer?: string } | { kind: 'server'; name: string };

/** One protected resource (RFC 9728 §2), gathered from every pipeline step and API endpoint it names. */
export interface ProtectedResource {
  resource: string;
  authority: ResourceAuthority;
  scopes: string[];
  /** RFC 9728 §2 bearer_methods_supported: RFC 6750's names for header, body and query. */
  bearerMethods: string[];
  /** Named by a pipeline's `resource` parameter: then it accepts only tokens whose audience names it. */
  explicit: boolean;
  pipelines: string[];
}

/** What the policy holds a request to: its resource, whether it is named (strict), and where its metadata is. */
export interface RequestResource {
  resource: string;
  strict: boolean;
  metadataUrl: string;
}

function authorityOf(params: PolicyParams): ResourceAuthority {
  if (params.server) return { kind: 'server', name: params.server };
  if (params.tokenStrategy === 'jwt') return { kind: 'issuer', ...optionalIssuer(params.jwt?.issuer) };
  if (params.tokenStrategy === 'introspection')
    return { kind: 'issuer', ...optionalIssuer(params.introspection?.issuer) };
  return { kind: 'local' };
}

const optionalIssuer = (issuer: string | undefined) => (issuer === undefined ? {} : { issuer });

function bearerMethodsOf(params: PolicyParams): string[] {
  return ['header', ...(params.allowBodyToken ? ['body'] : []), ...(params.allowQueryToken ? ['query'] : [])];
}

/** Each place (host, paths) of an API endpoint: EG takes one or a list. */
function placesOf(gateway: GatewayConfig, name: string): EndpointRoute[] {
  const endpoint = gateway.apiEndpoints?.[name];
  return (Array.isArray(endpoint) ? endpoint : [endpoint]).filter(
    (place): place is EndpointRoute => typeof place === 'object' && place !== null
  );
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
const sameAuthority = (a: ResourceAuthority, b: ResourceAuthority) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every protected resource of the gateway's pipelines (RFC 9728): what their metadata says, which ones this server
 * may issue tokens for (RFC 8707), and which resource a request of a pipeline is for. Built from gateway.config.yml at
 * each start and hot reload.
 */
export class ProtectedResources {
  private readonly byId = new Map<string, ProtectedResource>();
  /** Identifiers two pipelines would derive alike for different authorization servers: no pipeline is named by them. */
  private readonly withdrawn = new Set<string>();
  /** The resource of each route EG hands a pipeline, once derived (EG keeps a route object per API endpoint place). */
  private readonly derivedOf = new WeakMap<object, RequestResource | null>();

  /**
   * @param audience accessToken.audience, the audience of tokens requested for no resource: no resource may be it, or
   *   a token for that one resource could not be told from one for none.
   * @param firstStart whether this is the gateway's start, when a conflict a pipeline's `resource` takes part in stops
   *   it; on a hot reload, which must not stop a running gateway, the identifier is withdrawn with a warning (as one
   *   only derived always is), and a step the policy will refuse is passed over.
   * @throws SettingsError at the first start, naming the pipelines.
   */
  constructor(
    gateway: GatewayConfig,
    private readonly issuer: string,
    audience: string,
    firstStart: boolean,
    logger: EgLogger
  ) {
    const problems = new Map<string, { problem: string; named: boolean }>();
    for (const step of oauth2Steps(gateway)) {
      let params: PolicyParams;
      try {
        params = checkedParams(step);
      } catch (err) {
        if (firstStart) throw err;
        continue;
      }
      if (params.exchange?.audience === audience && firstStart)
        throw new SettingsError(`${step.where}.exchange.audience is accessToken.audience, not an upstream's`);
      const named = params.resource === undefined ? undefined : canonicalResource(params.resource);
      const listed = gateway.pipelines?.[step.pipeline]?.apiEndpoints ?? [];
      for (const place of [listed].flat().flatMap((name) => placesOf(gateway, name))) {
        const resource = named ?? derivedResource(place, issuer);
        if (resource === null) continue;
        if (resource === audience) {
          // A catch-all API endpoint on the issuer's origin derives it: that pipeline simply names no resource.
          if (named) problems.set(resource, { problem: `${step.where}.resource is accessToken.audience`, named: true });
          else this.withdrawn.add(resource);
          continue;
        }
        const problem = this.add(resource, params, named !== undefined, step.pipeline, place);
        if (problem) problems.set(resource, problem);
      }
    }
    for (const [resource, { problem, named }] of problems) {
      if (named && firstStart) throw new SettingsError(problem);
      this.byId.delete(resource);
      this.withdrawn.add(resource);
      logger.warn(`oauth2: ${problem}; ${resource} has no resource metadata and no token may be requested for it`);
    }
  }

  /** @returns what is wrong when another pipeline has the identifier and may not share it. */
  private add(
    resource: string,
    params: PolicyParams,
    named: boolean,
    pipeline: string,
    place: EndpointRoute
  ): { problem: string; named: boolean } | null {
    const authority = authorityOf(params);
    const scopes = Array.isArray(place.scopes) ? place.scopes.filter((s): s is string => typeof s === 'string') : [];
    const known = this.byId.get(resource);
    if (known && !sameAuthority(known.authority, authority)) {
      return {
        problem:
          `pipelines ${known.pipelines[0]} and ${pipeline} both protect ${resource} with different authorization ` +
          'servers: give one a resource of its own (policy parameter resource)',
        named: named || known.explicit
      };
    }
    // A pipeline deriving the identifier another names would take the tokens meant for that one alone.
    if (known && known.explicit !== named) {
      const [naming, deriving] = named ? [pipeline, known.pipelines[0]] : [known.pipelines[0], pipeline];
      return {
        problem:
          `pipeline ${naming} names ${resource} as its resource and pipeline ${deriving}'s API endpoint derives it: ` +
          `give ${deriving} a resource of its own (policy parameter resource)`,
        named: true
      };
    }
    this.byId.set(resource, {
      resource,
      authority,
      scopes: union(known?.scopes ?? [], scopes),
      bearerMethods: union(known?.bearerMethods ?? [], bearerMethodsOf(params)),
      explicit: named,
      pipelines: union(known?.pipelines ?? [], [pipeline])
    });
    return null;
  }

  /** Every resource, in the order the pipelines name them. */
  all(): ProtectedResource[] {
    return [...this.byId.values()];
  }

  /** The resources this server issues tokens for (RFC 8707 §2): those whose pipelines check this plugin's tokens. */
  issuable(): string[] {
    return this.all()
      .filter((entry) => entry.authority.kind === 'local')
      .map((entry) => entry.resource);
  }

  /** Whether a token may be requested for this identifier, canonically spelled (RFC 8707 §2: else invalid_target). */
  isIssuable(resource: string): boolean {
    return this.byId.get(resource)?.authority.kind === 'local';
  }

  /** Whether a pipeline's `resource` names it: then only tokens asked for it are taken there. */
  isNamed(resource: string): boolean {
    return this.byId.get(resource)?.explicit ?? false;
  }

  /** Whether some pipeline has this identifier, in its canonical spelling. */
  has(resource: string): boolean {
    return this.byId.has(resource);
  }

  /**
   * The resource whose metadata is at this path under /.well-known/oauth-protected-resource (RFC 9728 §3.1), on this
   * host: a trailing `/` aside, and the query only when the resource has one.
   */
  atMetadataPath(path: string, query: string, hostname: string): ProtectedResource | undefined {
    const wanted = path.replace(/\/+$/, '');
    const matching = this.all().filter((entry) => {
      const url = new URL(metadataUrl(entry.resource));
      return url.pathname === `/.well-known/oauth-protected-resource${wanted}` && (!url.search || url.search === query);
    });
    if (matching.length <= 1) return matching[0];
    return matching.find((entry) => new URL(entry.resource).hostname === hostname);
  }

  /**
   * The resource a pipeline step serves this request for: its `resource` parameter, else the one its API endpoint
   * derives (none for one no URL names, or one withdrawn). Synchronous and cached per route: it runs on every call.
   */
  forRequest(req: Request, params: PolicyParams): RequestResource | null {
    if (params.resource !== undefined) return this.named(params.resource);
    const route = req.egContext?.apiEndpoint;
    if (!route) return null;
    let found = this.derivedOf.get(route);
    if (found === undefined) {
      const derived = derivedResource(route, this.issuer);
      found =
        derived === null || this.withdrawn.has(derived)
          ? null
          : { resource: derived, strict: false, metadataUrl: metadataUrl(derived) };
      this.derivedOf.set(route, found);
    }
    return found;
  }

  private readonly namedOnes = new Map<string, RequestResource>();

  /** A pipeline's `resource` as written, spelled canonically once (no URL parsed per request). */
  private named(written: string): RequestResource {
    let found = this.namedOnes.get(written);
    if (!found) {
      const resource = canonicalResource(written);
      found = { resource, strict: true, metadataUrl: metadataUrl(resource) };
      this.namedOnes.set(written, found);
    }
    return found;
  }
}
