// npm run docs: writes the README's configuration tables anew from the schemas
// (support/readme-tables.ts, compiled by the build that npm run docs runs first).
// The schemas are the one place a setting is described: edit them, not the tables.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { withGeneratedTables } = createRequire(import.meta.url)(path.join(root, 'dist', 'support', 'readme-tables.js'));
const readme = path.join(root, 'README.md');
const before = fs.readFileSync(readme, 'utf8');
const after = withGeneratedTables(before);
if (after === before) {
  console.log("express-gateway-plugin-oauth2: README.md's configuration tables already match the schemas");
} else {
  fs.writeFileSync(readme, after);
  console.log("express-gateway-plugin-oauth2: README.md's configuration tables written from the schemas");
}
