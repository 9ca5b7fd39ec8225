import express, { Application, ErrorRequestHandler, Router } from 'express';

const mounted = new WeakMap<Application, { current: Router }>();

/**
 * EG runs a plugin's init again on every hot reload and then calls its route
 * declarations on the same express app again. Mounting a router each time
 * would stack copies where the oldest wins; instead the app gets one
 * dispatcher, and a reload swaps the router behind it.
 */
export function mountOnce(app: Application, router: Router, errorHandler?: ErrorRequestHandler): void {
  const slot = mounted.get(app);
  if (slot) {
    slot.current = router;
    return;
  }
  const fresh = { current: router };
  mounted.set(app, fresh);
  app.use(function oauth2PluginRoutes(req, res, next) {
    fresh.current(req, res, next);
  });
  // Errors raised before the routes (EG's own body parser) reach only app-level error handlers.
  if (errorHandler) app.use(errorHandler);
}

export function newRouter(): Router {
  return express.Router({ caseSensitive: true, strict: false });
}
