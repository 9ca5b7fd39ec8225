import { expect } from 'chai';
import fs from 'fs';
import path from 'path';
import prettier from 'prettier';
import { ROOT } from '../helpers/gateway-folder';
import { oncePerRun } from '../helpers/once-per-run';

/** Folders that hold no source of ours: installed, built, or half-built code. */
const NOT_SOURCE = /^(node_modules|dist|\.dist-building-\d+|\.git)$/;
/** What the package ships and runs: the product code. */
const PRODUCT = ['manifest.ts', 'types.ts', 'bin', 'lib', 'policies', 'conditions', 'routes', 'schemas'];
const LINE_LIMIT = 120;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE.test(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const productFiles = (): string[] =>
  PRODUCT.flatMap((entry) => {
    const full = path.join(ROOT, entry);
    return fs.statSync(full).isDirectory() ? sourceFiles(full) : [full];
  });

describe('source format (issue 18, item 7)', function () {
  before(function () {
    oncePerRun(this);
  });
  it('every TypeScript and example file is as Prettier formats it with .prettierrc.json (npm run format rewrites them)', async function () {
    this.timeout(120000);
    const unformatted: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const options = await prettier.resolveConfig(file);
      if (!(await prettier.check(fs.readFileSync(file, 'utf8'), { ...options, filepath: file }))) {
        unformatted.push(path.relative(ROOT, file));
      }
    }
    expect(unformatted, 'not formatted: run npm run format').to.deep.equal([]);
  });

  it(`keeps product lines within ${LINE_LIMIT} characters: comments wrap, and only a string Prettier cannot break runs over`, function () {
    const over = productFiles().flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => {
          const unbreakable = /['"`]/.test(line.replace(/\/\/.*$/, '')) && !/^\s*(\/\/|\/\*|\*)/.test(line);
          return line.length > LINE_LIMIT && !unbreakable ? [`${path.relative(ROOT, file)}:${index + 1}`] : [];
        })
    );
    expect(over, 'lines over the limit').to.deep.equal([]);
  });
});
