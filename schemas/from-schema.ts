/**
 * The TypeScript type of the values a JSON Schema declared `as const` accepts,
 * for the keywords this package's schemas use. It keeps the public setting
 * types (types.ts) derived from the schemas, their only home, instead of a
 * second hand-written copy that would drift.
 */
export type FromSchema<S> =
  S extends { oneOf: readonly (infer Choice)[] } ? FromSchema<Choice>
    : S extends { allOf: readonly [infer First, ...infer Rest] } ? FromSchema<First> & FromSchema<{ allOf: Rest }>
      : S extends { allOf: readonly [] } ? unknown
        : S extends { enum: readonly (infer Value)[] } ? Value
          : S extends { const: infer Value } ? Value
            : S extends { type: 'string' } ? string
              : S extends { type: 'integer' | 'number' } ? number
                : S extends { type: 'boolean' } ? boolean
                  : S extends { type: 'array'; items: infer Item } ? FromSchema<Item>[]
                    : S extends { type: 'object'; properties: infer Properties } ? ObjectOf<Properties, RequiredOf<S>>
                      : S extends { type: 'object'; additionalProperties: infer Values } ? (Values extends object ? Record<string, FromSchema<Values>> : Record<string, unknown>)
                        : unknown;

type RequiredOf<S> = S extends { required: readonly (infer Key)[] } ? Key : never;

type ObjectOf<Properties, Required> =
  { -readonly [Key in keyof Properties as Key extends Required ? Key : never]-?: FromSchema<Properties[Key]> } &
  { -readonly [Key in keyof Properties as Key extends Required ? never : Key]?: FromSchema<Properties[Key]> };
