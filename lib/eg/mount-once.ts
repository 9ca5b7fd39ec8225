import express, { Application, ErrorRequestHandler, RequestHandler, Router } from 'express';

interface Slot {
  current: RequestHandler;
  prefixes: string[] | null;
}

/** By app, the plugin's dispatchers by name. */
const mounted = new WeakMap<Application, Map<string, Slot>>();

export interface MountOptions {
  /** Names the dispatcher: one per name and app. */
  name: string;
  /**
   * Added once after the dispatcher: errors raised before it (EG's own body parser) reach only app-level error
   * handlers.
   */
  errorHandler?: ErrorRequestHandler;
  /**
   * When given, only URLs starting with one of them go through the handler:
   * every API call passes this dispatcher on its way to EG's pipelines, and a
   * prefix check costs far less than a router's own walk.
   */
  prefixes?: string[];
}

/**
 * EG runs a plugin's init again on every hot reload and then calls its route
 * declarations on the same express app again. Mounting a handler each time
 * would stack copies where the oldest wins; instead the app gets one
 * dispatcher per name, and a reload swaps the handler behind it.
 */
export function mountOnce(
  app: Application,
  handler: RequestHandler,
  { name, errorHandler, prefixes }: MountOptions
): void {
  const usable = prefixes && !prefixes.includes('') ? prefixes : null;
  const slots = mounted.get(app) ?? new Map<string, Slot>();
  mounted.set(app, slots);
  const slot = slots.get(name);
  if (slot) {
    slot.current = handler;
    slot.prefixes = usable;
    return;
  }
  const fresh: Slot = { current: handler, prefixes: usable };
  slots.set(name, fresh);
  app.use(function oauth2PluginRoutes(req, res, next) {
    if (fresh.prefixes && !fresh.prefixes.some((prefix) => req.url.startsWith(prefix))) return next();
    fresh.current(req, res, next);
  });
  if (errorHandler) app.use(errorHandler);
}

export function newRouter(): Router {
  return express.Router({ caseSensitive: true, strict: false });
}
