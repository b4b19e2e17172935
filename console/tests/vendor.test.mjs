/**
 * The Chart.js the backend serves (app/console/static/vendor/) is the one package-lock.json pins:
 * after changing chart.js, run `npm run vendor` and commit the copy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { FILES, VENDOR_DIR } from '../scripts/vendor.mjs';

const modules = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules');

test('the vendored Chart.js files are the installed package\'s, byte for byte', () => {
  for (const [from, to] of FILES) {
    assert.ok(readFileSync(join(modules, from)).equals(readFileSync(join(VENDOR_DIR, to))),
      `${to} differs from node_modules/${from}: run \`npm run vendor\` in console/`);
  }
});

test('the vendored copy names its version', () => {
  const { version } = JSON.parse(readFileSync(join(modules, 'chart.js', 'package.json'), 'utf8'));
  assert.match(readFileSync(join(VENDOR_DIR, 'README.md'), 'utf8'), new RegExp(`Chart\\.js ${version.replace(/\./g, '\\.')} `));
  assert.match(readFileSync(join(VENDOR_DIR, 'chart.umd.min.js'), 'utf8').slice(0, 200), new RegExp(`Chart\\.js v${version.replace(/\./g, '\\.')}`));
});
