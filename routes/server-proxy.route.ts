import type { Request, Response, Router } from 'express';
import { InvalidRequest, NotFound } from '../lib/errors';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import { exchange } from '../lib/servers/proxy-exchange';
import type { ServerDirectory } from '../lib/servers/server-directory';
import type { EndpointName } from '../lib/servers/server-entry';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  servers: ServerDirectory;
}

/** Path segment under <servers>/<name>/ -> the entry's endpoint it reaches, and the methods let through. */
const PATHS: Record<string, { endpoint: EndpointName; methods: string[] }> = {
  authorize: { endpoint: 'authorize', methods: ['get', 'post'] },
  token: { endpoint: 'token', methods: ['post', 'get'] }, // GET: as Janus's own examples call it
  introspect: { endpoint: 'introspection', methods: ['post'] },
  revoke: { endpoint: 'revoke', methods: ['post'] }
};

/** A client id that is a path segment of its own, never `.` or `..`, which URL parsing would resolve. */
const isPlainSegment = (value: string) => value.length > 0 && value.length <= 200 && value !== '.' && value !== '..';

/**
 * The front proxy (Janus's proxied oauth_endpoints): each registered
 * server's endpoints under <basePath><routes.servers>/<name>/authorize,
 * /token, /introspect, /revoke, /clients (POST: createClient) and
 * /clients/<id> (DELETE: removeClient); /login redirects to loginRedirect.
 * Each request goes through the front proxy's rules (proxy-exchange.ts) to
 * the endpoint's targets, balanced as the entry says.
 */
export function mountServerProxyRoutes(router: Router, { settings, servers }: Deps): void {
  const base = settings.routes.servers;

  async function proxy(req: Request, res: Response, endpoint: EndpointName, extraPath = ''): Promise<void> {
    const name = pathParam(req, 'name');
    const entry = await servers.get(name);
    if (!entry) throw new NotFound(`No authorization server is registered as "${name.slice(0, 64)}"`);
    const upstream = entry.endpoints[endpoint];
    if (!upstream) throw new NotFound(`${entry.name} has no ${endpoint} endpoint`);
    const targets = servers.balancer.order(`${entry.name} ${endpoint}`, upstream).map((url) => {
      const target = new URL(url);
      if (extraPath) target.pathname = `${target.pathname.replace(/\/+$/, '')}/${encodeURIComponent(extraPath)}`;
      return target;
    });
    await exchange(req, res, settings, {
      entry,
      endpoint,
      targets,
      cookiePath: `${settings.basePath}${base}/${entry.name}/`
    });
  }

  router.get(
    `${base}/:name/login`,
    asyncStep(async (req, res) => {
      const name = pathParam(req, 'name');
      const entry = await servers.get(name);
      if (!entry?.loginRedirect) throw new NotFound(`No login page is registered for "${name.slice(0, 64)}"`);
      // The query is not copied: it would make this an open redirect through the upstream's login page.
      res.redirect(302, entry.loginRedirect);
    })
  );
  router.delete(
    `${base}/:name/clients/:clientId`,
    asyncStep(async (req, res) => {
      if (!isPlainSegment(pathParam(req, 'clientId')))
        throw new InvalidRequest('The client id is not usable in a path');
      await proxy(req, res, 'removeClient', pathParam(req, 'clientId'));
    })
  );
  router.post(
    `${base}/:name/clients`,
    asyncStep((req, res) => proxy(req, res, 'createClient'))
  );
  for (const [path, { endpoint, methods }] of Object.entries(PATHS)) {
    for (const method of methods)
      router[method as 'get' | 'post'](
        `${base}/:name/${path}`,
        asyncStep((req, res) => proxy(req, res, endpoint))
      );
  }
}
