import type { Request } from 'express';
import type { EgLogger, GatewayConfig } from '../eg/types';
import { checkedParams, oauth2Steps } from '../eg/pipeline-params';
import { SettingsError } from '../settings';
import type { PolicyParams } from '../../schemas/policy.schema';
import { derivedResource, EndpointRoute, isResourceIdentifier, metadataUrl } from './resource-identifier';

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
  if (params.tokenStrategy === 'jwt') return { kind: 'issuer', issuer: params.jwt?.issuer };
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
  /** The resource of each route EG hands a pipeline, once derived (EG keeps one route object per API endpoint place). */
  private readonly derivedOf = new WeakMap<object, RequestResource | null>();

  /**
   * @param firstStart whether this is the gateway's start, when a conflict stops it; on a hot reload, which must not
   *   stop a running gateway, a conflicting resource is withdrawn with a warning, and a step the policy will refuse
   *   is passed over.
   * @throws SettingsError at the first start, when two pipelines name one resource for different authorization
   *   servers.
   */
  constructor(
    gateway: GatewayConfig,
    private readonly issuer: string,
    firstStart: boolean,
    logger: EgLogger
  ) {
    const conflicts = new Map<string, string>();
    for (const step of oauth2Steps(gateway)) {
      let params: PolicyParams;
      try {
        params = checkedParams(step);
      } catch (err) {
        if (firstStart) throw err;
        continue;
      }
      const listed = gateway.pipelines?.[step.pipeline]?.apiEndpoints ?? [];
      for (const name of [listed].flat()) {
        for (const place of placesOf(gateway, name)) {
          const resource = params.resource ?? derivedResource(place, issuer);
          if (resource === null) continue;
          const conflict = this.add(resource, params, step.pipeline, place);
          if (conflict && params.resource !== undefined && firstStart) throw new SettingsError(conflict);
          if (conflict) conflicts.set(resource, conflict);
        }
      }
    }
    for (const [resource, conflict] of conflicts) {
      if (this.byId.get(resource)?.explicit && firstStart) throw new SettingsError(conflict);
      this.byId.delete(resource);
      this.withdrawn.add(resource);
      logger.warn(`oauth2: ${conflict}; it has no resource metadata and no token may be requested for it`);
    }
  }

  /** @returns what is wrong when the resource is already another authorization server's. */
  private add(resource: string, params: PolicyParams, pipeline: string, place: EndpointRoute): string | null {
    const authority = authorityOf(params);
    const scopes = Array.isArray(place.scopes) ? place.scopes.filter((s): s is string => typeof s === 'string') : [];
    const known = this.byId.get(resource);
    if (known && !sameAuthority(known.authority, authority)) {
      return (
        `pipelines ${known.pipelines[0]} and ${pipeline} both protect ${resource} with different authorization servers: ` +
        'give one a resource of its own (policy parameter resource)'
      );
    }
    this.byId.set(resource, {
      resource,
      authority,
      scopes: union(known?.scopes ?? [], scopes),
      bearerMethods: union(known?.bearerMethods ?? [], bearerMethodsOf(params)),
      explicit: (known?.explicit ?? false) || params.resource !== undefined,
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

  /** Whether a token may be requested for this value (RFC 8707 §2: else invalid_target). */
  isIssuable(resource: unknown): boolean {
    return isResourceIdentifier(resource) && this.byId.get(resource)?.authority.kind === 'local';
  }

  /** The resource whose metadata is at this path under /.well-known/oauth-protected-resource, on this host. */
  atMetadataPath(pathAndQuery: string, hostname: string): ProtectedResource | undefined {
    const matching = this.all().filter((entry) => {
      const url = new URL(metadataUrl(entry.resource));
      return url.pathname + url.search === `/.well-known/oauth-protected-resource${pathAndQuery}`;
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

  private named(resource: string): RequestResource {
    let found = this.namedOnes.get(resource);
    if (!found) {
      found = { resource, strict: true, metadataUrl: metadataUrl(resource) };
      this.namedOnes.set(resource, found);
    }
    return found;
  }
}
