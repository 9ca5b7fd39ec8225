import type { NextFunction, Request, Response, Router } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { describable, InvalidRequest } from '../lib/errors';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import { redirectToUpstream, SANDBOXED_ANSWER, SANDBOXED_PAGE } from '../lib/servers/browser-endpoints';
import { bodyForUpstream, readProxiedRequest, refuseAmbiguousNames, requireFormBody } from '../lib/servers/proxied-request';
import { cookiePrefix } from '../lib/servers/proxy-cookies';
import type { ServerDirectory } from '../lib/servers/server-directory';
import type { ServerEntry } from '../lib/servers/server-entry';
import { addClientSecret, admitGrant, admitResponseType } from '../lib/servers/upstream-admission';
import { forward } from '../lib/servers/upstream-forwarder';
import type { Settings } from '../lib/settings';

interface Deps { settings: Settings; servers: ServerDirectory; logger: EgLogger }

type EndpointName = keyof ServerEntry['endpoints'];

/** Path segment under <servers>/<name>/ -> the entry's endpoint it reaches, and the methods let through. */
const PATHS: Record<string, { endpoint: EndpointName; methods: string[] }> = {
  authorize: { endpoint: 'authorize', methods: ['get', 'post'] },
  token: { endpoint: 'token', methods: ['post', 'get'] }, // GET: as Janus's own examples call it
  introspect: { endpoint: 'introspection', methods: ['post'] },
  revoke: { endpoint: 'revoke', methods: ['post'] }
};
/** The endpoints where the gateway decides on parameters: it must read every one of them. */
const CHECKED: ReadonlySet<EndpointName> = new Set(['authorize', 'token']);

function notFound(res: Response, description: string): void {
  res.status(404).set('Cache-Control', 'no-store').json({ error: 'not_found', error_description: describable(description) });
}

/** The upstream URL with the request's query string added to its own. */
function targetOf(url: string, query: URLSearchParams, extraPath = ''): URL {
  const target = new URL(url);
  if (extraPath) target.pathname = `${target.pathname.replace(/\/+$/, '')}/${encodeURIComponent(extraPath)}`;
  // What the operator wrote into the upstream URL (a tenant, say) is not the client's to repeat or override.
  const fixed = [...query.keys()].find((name) => target.searchParams.has(name));
  if (fixed) throw new InvalidRequest(`The parameter '${fixed.slice(0, 64)}' is set by the gateway for this server`);
  for (const [name, value] of query) target.searchParams.append(name, value);
  return target;
}

/** A client id that is a path segment of its own, never `.` or `..`, which URL parsing would resolve. */
const isPlainSegment = (value: string) => value.length > 0 && value.length <= 200 && value !== '.' && value !== '..';

/**
 * The front proxy (Janus's proxied oauth_endpoints): each registered
 * server's endpoints under <basePath><routes.servers>/<name>/authorize,
 * /token, /introspect, /revoke, /clients (POST: createClient) and
 * /clients/<id> (DELETE: removeClient); /login redirects to loginRedirect.
 * The entry's allowedGrants and allowedResponseTypes are enforced here,
 * before any upstream call, on parameters the upstream then receives exactly
 * as the gateway read them; its secrets are added at the token endpoint for
 * clients that only send their client_id. No upstream answer runs with the
 * gateway origin's privileges: browsers are sent to the upstream's own
 * authorization endpoint, or its page is sandboxed, and every other answer is.
 */
export function mountServerProxyRoutes(router: Router, { settings, servers, logger }: Deps): void {
  const base = settings.routes.servers;

  async function proxy(req: Request, res: Response, endpoint: EndpointName, extraPath = ''): Promise<void> {
    const entry = await servers.get(req.params.name);
    if (!entry) return notFound(res, `No authorization server is registered as "${req.params.name.slice(0, 64)}"`);
    const upstream = entry.endpoints[endpoint];
    if (!upstream) return notFound(res, `${entry.name} has no ${endpoint} endpoint`);
    const request = await readProxiedRequest(req, settings.tokenEndpoint.maxBodyBytes);
    if (CHECKED.has(endpoint)) requireFormBody(req, request);
    refuseAmbiguousNames(request);
    const { query, form } = request;
    if (endpoint === 'authorize') admitResponseType(entry, query, form);
    if (endpoint === 'token') admitGrant(entry, query, form);
    const authorization = endpoint === 'token' ? addClientSecret(entry, req.headers.authorization, query, form) : undefined;
    const target = targetOf(upstream.url, query, extraPath);
    if (endpoint === 'authorize' && entry.browserEndpoints !== 'sandbox') return redirectToUpstream(req, res, target, request);
    const { body, headers } = bodyForUpstream(request);
    await forward(req, res, {
      target,
      timeout: upstream.timeout,
      body,
      headers: authorization ? { ...headers, authorization } : headers,
      cookies: { prefix: cookiePrefix(entry.name), path: `${settings.basePath}${base}/${entry.name}/`, sessionCookie: settings.session.name },
      contentSecurityPolicy: endpoint === 'authorize' ? SANDBOXED_PAGE : SANDBOXED_ANSWER
    });
  }

  const step = (work: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, _next: NextFunction) => {
    work(req, res).catch((err) => sendOAuthError(res, err, logger));
  };

  router.get(`${base}/:name/login`, step(async (req, res) => {
    const entry = await servers.get(req.params.name);
    if (!entry?.loginRedirect) return notFound(res, `No login page is registered for "${req.params.name.slice(0, 64)}"`);
    res.redirect(302, entry.loginRedirect); // the query is not copied: it would make this an open redirect through the upstream's login page
  }));
  router.delete(`${base}/:name/clients/:clientId`, step(async (req, res) => {
    if (!isPlainSegment(req.params.clientId)) throw new InvalidRequest('The client id is not usable in a path');
    await proxy(req, res, 'removeClient', req.params.clientId);
  }));
  router.post(`${base}/:name/clients`, step((req, res) => proxy(req, res, 'createClient')));
  for (const [path, { endpoint, methods }] of Object.entries(PATHS)) {
    for (const method of methods) router[method as 'get' | 'post'](`${base}/:name/${path}`, step((req, res) => proxy(req, res, endpoint)));
  }
}
