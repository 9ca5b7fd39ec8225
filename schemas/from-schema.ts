/**
 * The TypeScript type of the values a JSON Schema declared `as const` accepts,
 * for the keywords this package's schemas use. It keeps the public setting
 * types (types.ts) derived from the schemas, their only home, instead of a
 * second hand-written copy that would drift.
 *
 * `Filled` true: the values once Ajv's `useDefaults` has run, where a
 * property with a `default` is always present (the settings and parameters
 * lib/ works with; test/loading proves lib's types are these).
 */
export type FromSchema<S, Filled extends boolean = false> = S extends { oneOf: readonly (infer Choice)[] }
  ? FromSchema<Choice, Filled>
  : S extends { allOf: readonly [infer First, ...infer Rest] }
    ? FromSchema<First, Filled> & FromSchema<{ allOf: Rest }, Filled>
    : S extends { allOf: readonly [] }
      ? unknown
      : S extends { enum: readonly (infer Value)[] }
        ? Value
        : S extends { const: infer Value }
          ? Value
          : S extends { type: 'string' }
            ? string
            : S extends { type: 'integer' | 'number' }
              ? number
              : S extends { type: 'boolean' }
                ? boolean
                : S extends { type: 'array'; items: infer Item }
                  ? FromSchema<Item, Filled>[]
                  : S extends { type: 'object'; properties: infer Properties }
                    ? ObjectOf<Properties, RequiredOf<S> | FilledOf<Properties, Filled>, Filled>
                    : S extends { type: 'object'; additionalProperties: infer Values }
                      ? Values extends object
                        ? Record<string, FromSchema<Values, Filled>>
                        : Record<string, unknown>
                      : unknown;

type RequiredOf<S> = S extends { required: readonly (infer Key)[] } ? Key : never;

/** The properties Ajv's useDefaults always fills in. */
type FilledOf<Properties, Filled extends boolean> = Filled extends true
  ? { [Key in keyof Properties]: Properties[Key] extends { default: unknown } ? Key : never }[keyof Properties]
  : never;

type ObjectOf<Properties, Required, Filled extends boolean> = {
  -readonly [Key in keyof Properties as Key extends Required ? Key : never]-?: FromSchema<Properties[Key], Filled>;
} & { -readonly [Key in keyof Properties as Key extends Required ? never : Key]?: FromSchema<Properties[Key], Filled> };
