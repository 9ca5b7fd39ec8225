/** Parameters of `condition: { name: oauth2-scopes, scopes: [...], match: all | any }`. */
export const oauth2ScopesSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/oauth2-scopes-condition.json',
  type: 'object',
  required: ['scopes'],
  properties: {
    scopes: {
      description: "The scopes to look for in the request's access token.",
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }
      ]
    },
    match: {
      type: 'string',
      enum: ['all', 'any'],
      default: 'all',
      description: 'all: every scope is needed; any: one is enough.'
    }
  }
} as const;
