import type { Request } from 'express';
import type { EgCondition } from '../lib/eg/types';

/** Parameters of `condition: { name: oauth2-scopes, scopes: [...], match: all | any }`. */
export const oauth2ScopesSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/oauth2-scopes-condition.json',
  type: 'object',
  required: ['scopes'],
  properties: {
    scopes: {
      description: 'The scopes to look for in the request\'s access token.',
      oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }]
    },
    match: { type: 'string', enum: ['all', 'any'], default: 'all', description: 'all: every scope is needed; any: one is enough.' }
  }
} as const;

interface Params { scopes: string | string[]; match?: 'all' | 'any' }

/**
 * An EG condition, true when the access token the `oauth2` policy validated
 * earlier in the pipeline holds the given scopes, so pipelines can branch by
 * scope. False for a request without a validated token (e.g. passThrough).
 */
export const oauth2ScopesCondition: EgCondition = {
  name: 'oauth2-scopes',
  schema: oauth2ScopesSchema,
  handler(req: Request, params: Params): boolean {
    const held = (req.user as { token?: { scopes?: unknown } } | undefined)?.token?.scopes;
    if (!Array.isArray(held)) return false;
    const wanted = Array.isArray(params.scopes) ? params.scopes : [params.scopes];
    return params.match === 'any' ? wanted.some((s) => held.includes(s)) : wanted.every((s) => held.includes(s));
  }
};
