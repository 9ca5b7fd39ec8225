import type { Request, Response, Router } from 'express';
import type { SendPage } from '../lib/browser/pages';
import { describable } from '../lib/errors';
import type { EgLogger } from '../lib/eg/types';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  sendPage: SendPage;
  publishesJwks: boolean;
  apiPaths: string[];
  logger: EgLogger;
}

/**
 * Any other path under basePath, last: the styled error page for a browser,
 * a JSON error for an API client, instead of Express's bare "Cannot GET"
 * page. Never mounted with an empty basePath, where it would take every API
 * call away from EG's pipelines, nor when an API endpoint lies under basePath.
 */
export function mountNotFound(router: Router, { settings, sendPage, publishesJwks, apiPaths, logger }: Deps): void {
  if (settings.basePath === '') return;
  // An API a pipeline serves under basePath keeps working: the gateway's routes come before EG's pipelines.
  const shadowed = apiPaths.filter(
    (path) => path === '*' || path === settings.basePath || path.startsWith(`${settings.basePath}/`)
  );
  if (shadowed.length > 0) {
    logger.warn(
      `oauth2: apiEndpoints under ${settings.basePath} (${shadowed.join(', ')}): unknown paths there are left to the pipelines, not answered 404`
    );
    return;
  }
  const jwksPath = settings.basePath + settings.routes.jwks;

  router.use(function notFound(req: Request, res: Response): void {
    const path = req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
    const why =
      path === jwksPath && !publishesJwks
        ? 'This gateway publishes no JWK Set: it has no asymmetric signing key (plugins.oauth2.keys)'
        : `Nothing is served at ${JSON.stringify(describable(path.slice(0, 200)))}`;
    if (req.accepts(['json', 'html']) === 'html') {
      sendPage(res, 404, 'error', { title: 'Page not found', message: why });
      return;
    }
    res.status(404).json({ error: 'not_found', error_description: why });
  });
}
