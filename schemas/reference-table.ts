/**
 * A configuration table of the README, written from a JSON Schema, so that
 * the schema is the one place a setting is described (`npm run docs` puts the
 * tables into README.md; test/docs fails while they differ).
 *
 * One row per setting, in the schema's property order:
 * - An object with `properties` is gone into: a row per key below it, named by
 *   its dotted path (`routes.token`). An array, a map (`additionalProperties`)
 *   or a `oneOf` is one row, whatever it holds. The members of an `allOf`
 *   follow one another; a `$ref` member is looked up by `$id` in `refs`.
 * - Key: the dotted path, as code. Meaning: the `description`, Markdown (a `|`
 *   is escaped for the table).
 * - Default: the `default` as code (a string as it is, anything else as JSON:
 *   `[]`, `{}`); without one, `required` for a key its object's `required`
 *   lists; else nothing.
 *
 * Two keywords of our own steer it (DOC_KEYWORDS, ./doc-keywords.ts):
 * - `docDefault`: Markdown for the Default column, written instead of the
 *   `default`: a default computed at start (`http://localhost:<http port>`), or
 *   one that needs a word (`` `1209600` (14 days) ``).
 * - `docJoin`: the key shares the row of the sibling before it, whose
 *   description is the row's Meaning: `true` adds it as `.name`, `'full'` by its
 *   whole path; its Default joins the row's after ", " (an empty one left out,
 *   the same one said once). It keeps a description of its own for the schema's
 *   other readers.
 */

/** The parts of a JSON Schema the tables read. */
export interface DocSchema {
  $id?: string;
  $ref?: string;
  description?: string;
  default?: unknown;
  required?: readonly string[];
  properties?: Record<string, DocSchema>;
  oneOf?: readonly DocSchema[];
  allOf?: readonly DocSchema[];
  docDefault?: string;
  docJoin?: true | 'full';
}

/** A setting that has no keys of its own in the table: a value, an array, a map or a choice. */
export interface Leaf {
  /** Dotted path from the schema's root, `routes.token`. */
  path: string;
  schema: DocSchema;
  /** Listed in its object's `required`. */
  required: boolean;
}

/** Options of {@link referenceTable}. */
export interface TableOptions {
  /** Title of the first column: `Key`, `Parameter`. */
  keyHeader: string;
  /** Schemas a `$ref` may name, by `$id`. */
  refs?: readonly object[];
}

/** Every setting of `schema`, in the order of its properties. @throws Error for a `$ref` not in `refs`. */
export function leaves(schema: object, refs: readonly object[] = []): Leaf[] {
  return leavesBelow(schema as DocSchema, refs as readonly DocSchema[], '');
}

function leavesBelow(schema: DocSchema, refs: readonly DocSchema[], prefix: string): Leaf[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
    const path = prefix + name;
    return hasKeys(child)
      ? leavesBelow(child, refs, `${path}.`)
      : [{ path, schema: child, required: schema.required?.includes(name) ?? false }];
  });
  return [...own, ...(schema.allOf ?? []).flatMap((member) => leavesBelow(resolved(member, refs), refs, prefix))];
}

const hasKeys = (schema: DocSchema): boolean => schema.properties !== undefined && schema.oneOf === undefined;

function resolved(schema: DocSchema, refs: readonly DocSchema[]): DocSchema {
  if (schema.$ref === undefined) return schema;
  const target = refs.find((ref) => ref.$id === schema.$ref);
  if (!target) throw new Error(`reference table: no schema given for $ref ${schema.$ref}`);
  return target;
}

interface Row {
  parent: string;
  keys: string[];
  defaults: string[];
  meaning: string;
}

/**
 * The Markdown table of `schema`'s settings: a header, then a line per row.
 * @throws Error for a `docJoin` without a sibling row before it, or a `$ref` not in `refs`.
 */
export function referenceTable(schema: object, { keyHeader, refs = [] }: TableOptions): string {
  const rows: Row[] = [];
  for (const leaf of leaves(schema, refs)) {
    const parent = leaf.path.slice(0, leaf.path.lastIndexOf('.') + 1);
    const join = leaf.schema.docJoin;
    if (join === undefined) {
      rows.push({
        parent,
        keys: [code(leaf.path)],
        defaults: [defaultCell(leaf)],
        meaning: leaf.schema.description ?? ''
      });
      continue;
    }
    const row = rows.at(-1);
    if (!row || row.parent !== parent || (join !== true && join !== 'full')) {
      throw new Error(`reference table: ${leaf.path}: docJoin is true or 'full', after a sibling key`);
    }
    row.keys.push(code(join === 'full' ? leaf.path : `.${leaf.path.slice(parent.length)}`));
    row.defaults.push(defaultCell(leaf));
  }
  const lines = rows.map((row) =>
    line([row.keys.join(', '), [...new Set(row.defaults.filter(Boolean))].join(', '), row.meaning])
  );
  return [line([keyHeader, 'Default', 'Meaning']), '| --- | --- | --- |', ...lines].join('\n');
}

function defaultCell({ schema, required }: Leaf): string {
  if (schema.docDefault !== undefined) return schema.docDefault;
  if (schema.default !== undefined)
    return code(typeof schema.default === 'string' ? schema.default : JSON.stringify(schema.default));
  return required ? 'required' : '';
}

const code = (text: string): string => `\`${text}\``;

/** A table line; an empty cell is one space wide, as the README was written by hand. */
const line = (cells: string[]): string =>
  `|${cells
    .map((cell) => cell.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|'))
    .map((cell) => (cell ? ` ${cell} ` : ' '))
    .join('|')}|`;
