import type { Response } from 'express';
import type { Settings } from '../settings';
import type { PageName, Render } from './views';

/** Renders a page with the locals every template may use (service name, paths). */
export function pageRenderer(render: Render, settings: Settings) {
  const common = {
    serviceName: settings.serviceName,
    assetsPath: settings.basePath + settings.routes.assets,
    loginPath: settings.basePath + settings.routes.login,
    logoutPath: settings.basePath + settings.routes.logout,
    decisionPath: settings.basePath + settings.routes.decision
  };
  return function sendPage(res: Response, status: number, page: PageName, locals: Record<string, unknown>): void {
    res.status(status).type('html').send(render(page, { ...common, ...locals }));
  };
}

export type SendPage = ReturnType<typeof pageRenderer>;
