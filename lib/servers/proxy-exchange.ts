import type { Request, Response } from 'express';
import { InvalidRequest, TemporarilyUnavailable } from '../errors';
import type { Settings } from '../settings';
import { redirectToUpstream, SANDBOXED_ANSWER, SANDBOXED_PAGE } from './browser-endpoints';
import { bodyForUpstream, readProxiedRequest, refuseAmbiguousNames, requireFormBody } from './proxied-request';
import { cookiePrefix } from './proxy-cookies';
import type { EndpointName, ServerEntry } from './server-entry';
import { addClientSecret, admitGrant, admitResponseType } from './upstream-admission';
import { forward } from './upstream-forwarder';

/** The endpoints where the gateway decides on parameters: it must read every one of them. */
const CHECKED: ReadonlySet<EndpointName> = new Set(['authorize', 'token']);

/** One request to a registered server's endpoint, however it was reached (the front proxy's path or a listen path). */
export interface Exchange {
  entry: ServerEntry;
  endpoint: EndpointName;
  /** The endpoint's upstream URL per target, in the order to try them, before the request's query is added. */
  targets: URL[];
  /** Where the browser keeps this server's cookies (see proxy-cookies.ts). */
  cookiePath: string;
  /** Janus's preserve_host: the upstream gets the client's Host header. */
  preserveHost?: boolean | undefined;
}

/** The upstream URL with the request's query string added to its own. */
function withQuery(url: URL, query: URLSearchParams): URL {
  const target = new URL(url);
  // What the operator wrote into the upstream URL (a tenant, say) is not the client's to repeat or override.
  const fixed = [...query.keys()].find((name) => target.searchParams.has(name));
  if (fixed) throw new InvalidRequest(`The parameter '${fixed.slice(0, 64)}' is set by the gateway for this server`);
  for (const [name, value] of query) target.searchParams.append(name, value);
  return target;
}

/**
 * The front proxy's rules, for every way an endpoint is reached: the
 * entry's allowedGrants and allowedResponseTypes are enforced before any
 * upstream call, on parameters the upstream then receives exactly as the
 * gateway read them; its secrets are added at the token endpoint for clients
 * that only send their client_id; browsers are sent to the upstream's own
 * authorization endpoint, or its page is sandboxed, and so is every other
 * answer. A target that cannot be connected to is passed over for the next.
 */
export async function exchange(
  req: Request,
  res: Response,
  settings: Settings,
  { entry, endpoint, targets, cookiePath, preserveHost }: Exchange
): Promise<void> {
  const upstream = entry.endpoints[endpoint]!;
  const request = await readProxiedRequest(req, settings.tokenEndpoint.maxBodyBytes);
  if (CHECKED.has(endpoint)) requireFormBody(req, request);
  refuseAmbiguousNames(request);
  const { query, form } = request;
  if (endpoint === 'authorize') admitResponseType(entry, query, form);
  if (endpoint === 'token') admitGrant(entry, query, form);
  const authorization =
    endpoint === 'token' ? addClientSecret(entry, req.headers.authorization, query, form) : undefined;
  const [target, ...fallbacks] = targets.map((url) => withQuery(url, query));
  if (!target)
    throw new TemporarilyUnavailable(
      'The authorization server cannot be reached, try again later',
      `${entry.name} has no ${endpoint} target`
    );
  if (endpoint === 'authorize' && entry.browserEndpoints !== 'sandbox')
    return redirectToUpstream(req, res, target, request);
  const { body, headers } = bodyForUpstream(request);
  await forward(req, res, {
    target,
    fallbacks,
    host: preserveHost ? req.headers.host : undefined,
    timeout: upstream.timeout,
    body,
    headers: authorization ? { ...headers, authorization } : headers,
    cookies: { prefix: cookiePrefix(entry.name), path: cookiePath, sessionCookie: settings.session.name },
    contentSecurityPolicy: endpoint === 'authorize' ? SANDBOXED_PAGE : SANDBOXED_ANSWER
  });
}
