import type { NextFunction, Request, Response, Router } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import { readBody } from '../lib/http/replayable-form';
import type { ServerDirectory } from '../lib/servers/server-directory';
import type { ServerEntry } from '../lib/servers/server-entry';
import { addClientSecret, admitGrant, admitResponseType } from '../lib/servers/upstream-admission';
import { forward } from '../lib/servers/upstream-forwarder';
import type { Settings } from '../lib/settings';

interface Deps { settings: Settings; servers: ServerDirectory; logger: EgLogger }

type EndpointName = keyof ServerEntry['endpoints'];

/** Path segment under <servers>/<name>/ -> the entry's endpoint it reaches. */
const PATHS: Record<string, EndpointName> = {
  authorize: 'authorize',
  token: 'token',
  introspect: 'introspection',
  revoke: 'revoke'
};

/** Endpoints where clients authenticate, so an entry's secret may be added. */
const CLIENT_AUTHENTICATED: EndpointName[] = ['token', 'introspection', 'revoke'];

function notFound(res: Response, description: string): void {
  res.status(404).set('Cache-Control', 'no-store').json({ error: 'not_found', error_description: description });
}

/** The upstream URL with the request's query string added to its own. */
function targetOf(url: string, req: Request, extraPath = ''): URL {
  const target = new URL(url);
  if (extraPath) target.pathname = `${target.pathname.replace(/\/+$/, '')}/${encodeURIComponent(extraPath)}`;
  const query = new URL(req.originalUrl, 'http://gateway').searchParams;
  for (const [name, value] of query) target.searchParams.append(name, value);
  return target;
}

/**
 * The front proxy (Janus's proxied oauth_endpoints): each registered
 * server's endpoints under <basePath><routes.servers>/<name>/authorize,
 * /token, /introspect, /revoke, /clients (POST: createClient) and
 * /clients/<id> (DELETE: removeClient); /login redirects to loginRedirect.
 * The entry's allowedGrants and allowedResponseTypes are enforced here,
 * before any upstream call, and its secrets are added for clients that only
 * send their client_id.
 */
export function mountServerProxyRoutes(router: Router, { settings, servers, logger }: Deps): void {
  const base = settings.routes.servers;

  async function proxy(req: Request, res: Response, endpoint: EndpointName, extraPath = ''): Promise<void> {
    const entry = await servers.get(req.params.name);
    if (!entry) return notFound(res, `No authorization server is registered as "${req.params.name.slice(0, 64)}"`);
    const upstream = entry.endpoints[endpoint];
    if (!upstream) return notFound(res, `${entry.name} has no ${endpoint} endpoint`);
    const query = new URL(req.originalUrl, 'http://gateway').searchParams;
    const isForm = req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
    const form = new URLSearchParams(isForm ? (await readBody(req, settings.tokenEndpoint.maxBodyBytes)).toString('utf8') : '');
    if (endpoint === 'authorize') admitResponseType(entry, req.method === 'POST' ? form : query);
    if (endpoint === 'token') admitGrant(entry, query, form);
    const authorization = CLIENT_AUTHENTICATED.includes(endpoint) ? addClientSecret(entry, req.headers.authorization, form) : undefined;
    await forward(req, res, {
      target: targetOf(upstream.url, req, extraPath),
      timeout: upstream.timeout,
      body: isForm ? Buffer.from(form.toString()) : undefined,
      headers: authorization ? { authorization } : {},
      sessionCookie: settings.session.name
    });
  }

  const step = (work: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, _next: NextFunction) => {
    work(req, res).catch((err) => sendOAuthError(res, err, logger));
  };

  router.get(`${base}/:name/login`, step(async (req, res) => {
    const entry = await servers.get(req.params.name);
    if (!entry?.loginRedirect) return notFound(res, `No login page is registered for "${req.params.name.slice(0, 64)}"`);
    res.redirect(302, targetOf(entry.loginRedirect, req).toString());
  }));
  router.delete(`${base}/:name/clients/:clientId`, step((req, res) => proxy(req, res, 'removeClient', req.params.clientId)));
  router.post(`${base}/:name/clients`, step((req, res) => proxy(req, res, 'createClient')));
  for (const [path, endpoint] of Object.entries(PATHS)) router.all(`${base}/:name/${path}`, step((req, res) => proxy(req, res, endpoint)));
}
