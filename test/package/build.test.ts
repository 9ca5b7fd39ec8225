import { expect } from 'chai';
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ROOT } from '../helpers/gateway-folder';
import { oncePerRun } from '../helpers/once-per-run';

/** The sources of the product, in a scratch checkout that shares this one's node_modules. */
function scratchCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-build-'));
  for (const entry of [
    'manifest.ts',
    'types.ts',
    'bin',
    'lib',
    'policies',
    'conditions',
    'routes',
    'schemas',
    'scripts',
    'tsconfig.build.json',
    'package.json'
  ]) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/**
 * Runs the package build in `dir`, sampling all the while whether dist/manifest.js is there; answers the exit code and
 * the misses.
 */
function buildWhileWatching(
  dir: string
): Promise<{ code: number | null; output: string; samples: number; missing: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/build.mjs', '--package'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let samples = 0;
    let missing = 0;
    let running = true;
    const manifest = path.join(dir, 'dist', 'manifest.js');
    const sample = () => {
      if (!running) return;
      samples++;
      if (!fs.existsSync(manifest)) missing++;
      setImmediate(sample);
    };
    sample();
    child.once('exit', (code) => {
      running = false;
      resolve({ code, output, samples, missing });
    });
  });
}

describe('building the package (issue 16, item 3)', function () {
  this.timeout(120000);
  let dir: string;
  before(function () {
    oncePerRun(this);
    dir = scratchCheckout();
  });
  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds the product alone into dist/, saying what it does', async function () {
    const first = await buildWhileWatching(dir);
    expect(first.code, first.output).to.equal(0);
    expect(first.output).to.match(/compiling the plugin with tsc \(tsconfig\.build\.json\); this takes up to a minute/);
    expect(first.output).to.match(/built dist\/ in \d+\.\d s/);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).to.deep.equal([
      'bin',
      'conditions',
      'lib',
      'manifest.d.ts',
      'manifest.js',
      'policies',
      'routes',
      'schemas',
      'types.d.ts',
      'types.js'
    ]);
  });

  it('never leaves a file of dist/ missing while it rebuilds, so a gateway installed from this folder by path keeps loading the plugin', async function () {
    // A checkout's compiled tests (npm test's full build) stay when the product alone is built.
    fs.mkdirSync(path.join(dir, 'dist', 'test'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'test', 'kept.js'), '');
    const rebuild = await buildWhileWatching(dir);
    expect(rebuild.code, rebuild.output).to.equal(0);
    expect(rebuild.samples, 'sampled throughout the build').to.be.above(100);
    expect(
      rebuild.missing,
      `dist/manifest.js was missing in ${rebuild.missing} of ${rebuild.samples} samples`
    ).to.equal(0);
    expect(fs.existsSync(path.join(dir, 'dist', 'test', 'kept.js'))).to.equal(true);
    // npm makes the bin executable when it links it, not when a build replaces the file (a path install runs it from
    // here).
    expect(fs.statSync(path.join(dir, 'dist', 'bin', 'express-gateway-plugin-oauth2.js')).mode & 0o111).to.equal(0o111);
  });

  it('leaves dist/ as it was when the sources do not compile, and says so', async function () {
    const before = fs.readFileSync(path.join(dir, 'dist', 'manifest.js'), 'utf8');
    fs.appendFileSync(path.join(dir, 'manifest.ts'), '\nconst broken: number = "not a number";\n');
    const failed = await buildWhileWatching(dir);
    expect(failed.code).not.to.equal(0);
    expect(failed.output).to.match(/the build failed; dist\/ is left as it was/);
    expect(failed.missing).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'dist', 'manifest.js'), 'utf8')).to.equal(before);
    expect(fs.readdirSync(dir).filter((entry) => entry.startsWith('.dist-'))).to.deep.equal([]);
  });
});
