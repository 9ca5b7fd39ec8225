import express, { Application, ErrorRequestHandler, Router } from 'express';

interface Slot { current: Router; prefixes: string[] | null }

const mounted = new WeakMap<Application, Slot>();

/**
 * EG runs a plugin's init again on every hot reload and then calls its route
 * declarations on the same express app again. Mounting a router each time
 * would stack copies where the oldest wins; instead the app gets one
 * dispatcher, and a reload swaps the router behind it.
 *
 * @param prefixes when given, only URLs starting with one of them go through
 *   the router: every API call passes this dispatcher on its way to EG's
 *   pipelines, and a prefix check costs far less than the router's own walk.
 */
export function mountOnce(app: Application, router: Router, errorHandler?: ErrorRequestHandler, prefixes?: string[]): void {
  const usable = prefixes && !prefixes.includes('') ? prefixes : null;
  const slot = mounted.get(app);
  if (slot) {
    slot.current = router;
    slot.prefixes = usable;
    return;
  }
  const fresh: Slot = { current: router, prefixes: usable };
  mounted.set(app, fresh);
  app.use(function oauth2PluginRoutes(req, res, next) {
    if (fresh.prefixes && !fresh.prefixes.some((prefix) => req.url.startsWith(prefix))) return next();
    fresh.current(req, res, next);
  });
  // Errors raised before the routes (EG's own body parser) reach only app-level error handlers.
  if (errorHandler) app.use(errorHandler);
}

export function newRouter(): Router {
  return express.Router({ caseSensitive: true, strict: false });
}
