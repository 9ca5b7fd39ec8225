import type { Request } from 'express';
import type { EgCondition } from '../lib/eg/types';
import type { FromSchema } from '../schemas/from-schema';
import { oauth2ScopesSchema } from '../schemas/oauth2-scopes-condition.schema';

type Params = FromSchema<typeof oauth2ScopesSchema>;

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
