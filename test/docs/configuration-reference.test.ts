import Ajv from 'ajv';
import { expect } from 'chai';
import fs from 'fs';
import path from 'path';
import { DOC_KEYWORDS } from '../../schemas/doc-keywords';
import { leaves, referenceTable } from '../../schemas/reference-table';
import { settingsSchema } from '../../schemas/settings.schema';
import { firstDifference, README_TABLES, withGeneratedTables } from '../../support/readme-tables';
import { oncePerRun } from '../helpers/once-per-run';

const README = path.resolve(__dirname, '../../..', 'README.md');

/** Every key of `schema` at any depth that looks like a keyword of our own (`docDefault`, `docJoin`). */
function docKeywordsIn(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) => [
    ...(/^doc[A-Z]/.test(key) ? [key] : []),
    ...docKeywordsIn(value)
  ]);
}

describe('the configuration reference (issue 18, item 4)', function () {
  before(function () {
    oncePerRun(this);
  });
  it("the README's configuration tables are the ones the schemas generate", function () {
    const readme = fs.readFileSync(README, 'utf8');
    const difference = firstDifference(readme, withGeneratedTables(readme));
    if (difference) expect.fail(`README.md differs from the schemas: ${difference}\nrun npm run docs`);
  });

  it('every setting and policy parameter has a description, so none reaches the README undocumented', function () {
    for (const { schema, refs } of README_TABLES) {
      const undocumented = leaves(schema, refs)
        .filter((leaf) => !leaf.schema.description?.trim())
        .map((leaf) => leaf.path);
      expect(undocumented, 'settings without a description').to.deep.equal([]);
    }
  });

  it("writes a default as code, a required key without one as required, docDefault as written, and docJoin keys in their sibling's row", function () {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Who | what.' },
        nick: { type: 'string', default: 'x', docJoin: true, description: 'Short name.' },
        list: {
          type: 'array',
          items: { type: 'object', properties: { deep: { type: 'string' } } },
          default: [],
          description: 'A list.'
        },
        limits: {
          type: 'object',
          required: ['max'],
          properties: {
            max: { type: 'integer', description: 'Most and least.' },
            min: { type: 'integer', default: 1, docJoin: true, description: 'Least.' },
            unit: { type: 'string', default: 's', docJoin: 'full', description: 'Unit.' },
            span: { type: 'integer', docDefault: '`60` (a minute)', description: 'Span.' }
          }
        }
      }
    };
    expect(referenceTable(schema, { keyHeader: 'Key' }).split('\n')).to.deep.equal([
      '| Key | Default | Meaning |',
      '| --- | --- | --- |',
      '| `name`, `.nick` | `x` | Who \\| what. |',
      '| `list` | `[]` | A list. |',
      '| `limits.max`, `.min`, `limits.unit` | required, `1`, `s` | Most and least. |',
      '| `limits.span` | `60` (a minute) | Span. |'
    ]);
  });

  it('refuses a $ref it was not given, and a docJoin with no sibling row before it', function () {
    expect(() => referenceTable({ allOf: [{ $ref: 'http://example.com/other.json' }] }, { keyHeader: 'Key' })).to.throw(
      /no schema given for \$ref/
    );
    const orphan = {
      properties: { a: { description: 'A.' }, b: { properties: { c: { docJoin: true, description: 'C.' } } } }
    };
    expect(() => referenceTable(orphan, { keyHeader: 'Key' })).to.throw(/b\.c: docJoin/);
  });

  it("declares every keyword of our own to the plugin's Ajv validators, which would refuse the schemas without them", async function () {
    const used = new Set(README_TABLES.flatMap(({ schema }) => docKeywordsIn(schema)));
    expect(
      [...used].filter((keyword) => !DOC_KEYWORDS.includes(keyword)),
      'keywords missing from DOC_KEYWORDS'
    ).to.deep.equal([]);
    expect(() => new Ajv({ strict: true }).compile(settingsSchema)).to.throw(/unknown keyword: "doc/);
    // Each compiles its schema when loaded: settings, pipeline parameters, registry entries (which hold the policy's
    // strategies).
    for (const validator of ['../../lib/settings', '../../lib/eg/pipeline-params', '../../lib/servers/server-entry']) {
      await import(validator);
    }
  });
});
