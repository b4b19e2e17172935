/**
 * Before the e2e suites: migrate and seed one demo database (a few seconds of work each suite would
 * otherwise repeat). Every suite's demo server starts on its own copy (backend.js `startDemoServer`), so the
 * suites stay independent. Skipped when the backend's virtualenv is missing (the suites skip too).
 */
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { PYTHON, REPO_ROOT, TEMPLATE_ENV, backendEnv } = require('./backend-env');

module.exports = async function seedTemplate() {
  if (!fs.existsSync(PYTHON)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kehou-e2e-template-'));
  // One secret for the run: the seeded rows that derive from it must match the servers that read them.
  const secret = crypto.randomBytes(32).toString('hex');
  execFileSync(PYTHON, ['-m', 'app.cli', 'seed-demo'], {
    cwd: REPO_ROOT,
    env: { ...backendEnv(secret, path.join(dir, 'media')), DATABASE_URL: `sqlite:///${path.join(dir, 'e2e.db')}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Read by the test workers (started after this) and by global-teardown.js.
  process.env[TEMPLATE_ENV] = JSON.stringify({ dir, secret });
};
