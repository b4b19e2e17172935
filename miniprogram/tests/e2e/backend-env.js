/** Where the backend is and the environment a demo server for the e2e suites runs with. */
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
// The seeded template (global-setup.js): {dir, secret} as JSON
const TEMPLATE_ENV = 'KEHOU_E2E_TEMPLATE';

function backendEnv(jwtSecret, mediaDir) {
  const env = {
    ...process.env,
    ENV: 'dev',
    JWT_SECRET: jwtSecret,
    // empty WeChat settings: the backend uses its in-process fake WeChat, which accepts dev: codes
    WECHAT_APPID: '',
    WECHAT_SECRET: '',
    WECHAT_BASE_URL: '',
    MEDIA_DIR: mediaDir,
    PYTHONUNBUFFERED: '1',
    // the suites log in and scan far faster than people do; the limits are tested in pytest (tests/core)
    RATE_LIMITS_ENABLED: 'false',
  };
  delete env.DATABASE_URL;
  delete env[TEMPLATE_ENV];
  return env;
}

module.exports = { REPO_ROOT, PYTHON, TEMPLATE_ENV, backendEnv };
