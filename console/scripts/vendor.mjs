#!/usr/bin/env node
/**
 * Copy the browser build of Chart.js from node_modules into the backend's static files, with its licences,
 * so the console needs no build step and no CDN: `npm run vendor` after changing chart.js in package.json,
 * then commit app/console/static/vendor/. tests/vendor.test.js fails when the two drift apart.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, '..', 'node_modules');
export const VENDOR_DIR = join(here, '..', '..', 'app', 'console', 'static', 'vendor', 'chart.js');

// [from node_modules, to VENDOR_DIR]
export const FILES = [
  ['chart.js/dist/chart.umd.min.js', 'chart.umd.min.js'],
  ['chart.js/LICENSE.md', 'LICENSE.md'],
  // bundled inside chart.umd.min.js
  ['@kurkle/color/LICENSE.md', 'LICENSE.kurkle-color.md'],
];

function version(name) {
  return JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(VENDOR_DIR, { recursive: true });
  FILES.forEach(([from, to]) => copyFileSync(join(modules, from), join(VENDOR_DIR, to)));
  writeFileSync(join(VENDOR_DIR, 'README.md'),
    `Chart.js ${version('chart.js')} (MIT) with @kurkle/color ${version('@kurkle/color')} (MIT) bundled,\n`
    + 'copied from npm by `console/scripts/vendor.mjs` (`cd console && npm run vendor`). Do not edit by hand.\n');
  console.log(`vendored chart.js ${version('chart.js')} into ${VENDOR_DIR}`);
}
