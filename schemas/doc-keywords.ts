/**
 * Keywords of our own in the schemas, read only by the README's configuration
 * tables (./reference-table.ts says what each means): `docDefault`, the
 * Default column's text, and `docJoin`, a key sharing the row of the one
 * before it. Strict Ajv refuses a keyword it does not know, so every Ajv that
 * compiles these schemas is given this list (`keywords: [...DOC_KEYWORDS]`);
 * EG's own Ajv 6 ignores unknown keywords.
 */
export const DOC_KEYWORDS: readonly string[] = ['docDefault', 'docJoin'];
