import type { NextFunction, Request, Response } from 'express';

/**
 * Whether `value` holds objects or arrays nested more than `max` deep; iterative, so any depth is safe to ask about.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * EG's admin app parses JSON bodies of any depth (JSON.parse does not
 * recurse), but what reads them does (structuredClone, Ajv, copying masked
 * secrets back): a body nested thousands deep would overflow the stack. No
 * admin body of the plugin is deeper than a few levels, so a deep one is 400.
 */
export function limitJsonNesting(max: number) {
  return function limitJsonNesting(req: Request, res: Response, next: NextFunction): void {
    if (!nestedDeeperThan(req.body, max)) return next();
    res
      .status(400)
      .json({ error: 'invalid_request', error_description: `The request body is nested more than ${max} levels deep` });
  };
}
