// Compiles the TypeScript sources into a fresh folder, then moves each file
// over its old copy in dist/. A gateway that loads the plugin from this
// checkout (a path install) therefore never meets a missing or half-written
// file while a build runs (the old script deleted dist/ first): it would
// otherwise log one line and fall back to EG's built-in oauth2 policy.
//
//   node scripts/build.mjs            everything: product, demo, tests, bench (tsconfig.json)
//   node scripts/build.mjs --package  the product alone, as the package ships it (tsconfig.build.json)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const productOnly = process.argv.includes('--package');
const project = productOnly ? 'tsconfig.build.json' : 'tsconfig.json';
const dist = path.join(root, 'dist');
const staging = path.join(root, `.dist-building-${process.pid}`);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.error(
    'express-gateway-plugin-oauth2: cannot build: TypeScript is not installed (run npm install in this folder first)'
  );
  process.exit(1);
}

// Leftovers of builds that were killed midway.
for (const entry of fs.readdirSync(root)) {
  const owner = /^\.dist-building-(\d+)$/.exec(entry)?.[1];
  if (owner && !isRunning(Number(owner))) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
}

const started = Date.now();
console.log(
  `express-gateway-plugin-oauth2: compiling ${productOnly ? 'the plugin' : 'the plugin, demo, tests and bench'} ` +
    `with tsc (${project}); this takes up to a minute on a small machine`
);
const build = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', staging], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`express-gateway-plugin-oauth2: the build failed; dist/ is left as it was`);
  process.exit(build.status ?? 1);
}

// Each new file is renamed over the old one, which is atomic: no file of dist/ is ever missing, however
// closely a gateway loading the plugin (or a test polling it) looks. Files the build no longer makes go last.
const built = new Set(walk(staging));
// Deepest files first, the entry points (manifest.js, bin/) last: a gateway starting mid-swap loads either the old
// plugin or one whose every module is already new.
const depth = (file) =>
  file.startsWith(`bin${path.sep}`) || !file.includes(path.sep) ? -1 : file.split(path.sep).length;
for (const file of [...built].sort((a, b) => depth(b) - depth(a))) {
  const target = path.join(dist, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory())
    fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(path.join(staging, file), target);
}
fs.rmSync(staging, { recursive: true, force: true });
// The command line stays executable: npm sets the bit when it links the bin, not when a build replaces the file.
for (const file of built)
  if (file.startsWith(`bin${path.sep}`) && file.endsWith('.js')) fs.chmodSync(path.join(dist, file), 0o755);
// The product's own entries only when it is built alone: a checkout's compiled demo, tests and bench
// (npm test's full build) stay, so that installing this folder by path (npm runs prepare then) leaves a running suite
// alone.
const scope = new Set([...built].map((file) => file.split(path.sep)[0]));
for (const file of walk(dist)) {
  if (!built.has(file) && (!productOnly || scope.has(file.split(path.sep)[0])))
    fs.rmSync(path.join(dist, file), { force: true });
}
console.log(`express-gateway-plugin-oauth2: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Every file below `dir`, as paths relative to it. */
function walk(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? walk(path.join(dir, entry.name), relative) : [relative];
  });
}
