import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { MethodNotAllowed } from '../lib/errors';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import { upstreamPath } from '../lib/servers/listen-path';
import type { ListenRoute } from '../lib/servers/listen-path-table';
import type { LiveListenPaths } from '../lib/servers/live-listen-paths';
import { exchange } from '../lib/servers/proxy-exchange';
import type { ServerDirectory } from '../lib/servers/server-directory';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  servers: ServerDirectory;
  live: LiveListenPaths;
  logger: EgLogger;
}

/**
 * Janus's listen paths on the gateway port: a request on a registered
 * endpoint's listen_path goes to the endpoint's targets (balanced, with
 * failover), on the upstream path Janus's strip_path and append_path make
 * (listen-path.ts), with preserve_host, and through the front proxy's rules
 * (proxy-exchange.ts). Any other request passes on to EG's pipelines at the
 * cost of one check while no listen path is registered.
 */
export function listenPathHandler({ settings, servers, live, logger }: Deps): RequestHandler {
  async function proxy(
    req: Request,
    res: Response,
    path: string,
    { entry, endpoint, listen }: ListenRoute
  ): Promise<void> {
    const upstream = entry.endpoints[endpoint]!;
    const targets = servers.balancer.order(`${entry.name} ${endpoint}`, upstream).map((url) => {
      const target = new URL(url);
      target.pathname = upstreamPath(target.pathname, listen, path, upstream);
      return target;
    });
    // RFC 6265 §5.1.4: Path=/auth/token covers /auth/token and below, not /auth/tokens; with a trailing slash it would
    // miss /auth/token itself.
    const cookiePath = listen.prefix;
    await exchange(req, res, settings, { entry, endpoint, targets, cookiePath, preserveHost: upstream.preserveHost });
  }

  return function oauth2ListenPaths(req: Request, res: Response, next: NextFunction): void {
    const { table } = live;
    if (table.empty) return next();
    const path = req.url.split('?', 1)[0] ?? req.url;
    const found = table.find(req.method, req.headers.host ?? '', path);
    if (!found) return next();
    if ('allowed' in found) return void sendOAuthError(res, new MethodNotAllowed(req.method, found.allowed), logger);
    proxy(req, res, path, found.route).catch((err) => sendOAuthError(res, err, logger));
  };
}
