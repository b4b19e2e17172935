/**
 * The real backend for end-to-end tests: `python -m app.cli demo-server` on a free port with a throw-away
 * SQLite file (a copy of the demo school global-setup.js seeded once for the run), and a `wx` built on Node's
 * http module.
 *
 *   const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');
 *   describeIfBackend('…', () => { const backend = useDemoBackend(); … backend.origin … });
 *
 * Skipped only when the backend's virtualenv (../.venv/bin/python) does not exist.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

const config = require('../../config/index');
const { TOKEN_KEY } = require('../../services/request');

const { REPO_ROOT, PYTHON, TEMPLATE_ENV, backendEnv } = require('./backend-env');

const STARTUP_TIMEOUT_MS = 90000;

const describeIfBackend = fs.existsSync(PYTHON) ? describe : describe.skip;

/** A `wx` for Node: wx.request over http (each recorded in `requests`, with its status once answered), storage in a Map, toasts recorded. */
function createNodeWx() {
  const storage = new Map();
  const toasts = [];
  const requests = [];
  let logins = 0;
  return {
    storage,
    toasts,
    requests,
    request({ url, method = 'GET', data, header = {}, timeout = 60000, success, fail, complete }) {
      const target = new URL(url);
      const verb = method.toUpperCase();
      let body;
      if (verb === 'GET' || verb === 'HEAD') {
        if (data && typeof data === 'object') {
          Object.keys(data).forEach((key) => target.searchParams.set(key, String(data[key])));
        }
      } else if (data !== undefined) {
        body = typeof data === 'string' ? data : JSON.stringify(data);
      }
      const headers = { ...header };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      // `status` once answered (0: no answer)
      const record = { method: verb, url: target.toString(), header: { ...header }, status: undefined };
      requests.push(record);

      const done = (result, ok) => {
        record.status = ok ? result.statusCode : 0;
        if (ok && success) success(result);
        if (!ok && fail) fail(result);
        if (complete) complete(result);
      };
      const req = http.request(target, { method: verb, headers, timeout }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : '';
          } catch (e) {
            // like wx.request with dataType json: a body that is not JSON stays a string
          }
          done({ statusCode: res.statusCode, data: parsed, header: res.headers, errMsg: 'request:ok' }, true);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => done({ errMsg: `request:fail ${err.message}` }, false));
      req.end(body);
      return { abort: () => req.destroy() };
    },
    login({ success, complete }) {
      // only used when devOpenid is empty; the backend would refuse this code (WECHAT_CODE_INVALID)
      logins += 1;
      const res = { code: `not-a-real-code-${logins}`, errMsg: 'login:ok' };
      if (success) success(res);
      if (complete) complete(res);
    },
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key, value) => storage.set(key, value),
    removeStorageSync: (key) => storage.delete(key),
    showToast: (options) => toasts.push(options),
  };
}

// A 1×1 PNG: the server checks images by content.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64',
);

/**
 * wx.uploadFile over Node's http: a multipart/form-data POST with the file under `name` (give it to a node wx as
 * `uploadFile`). `method` (not WeChat's) sends the same as a PUT, for a staff upload the console makes.
 */
function uploadFile({
  url, filePath, name, formData = {}, header = {}, timeout = 60000, success, fail, method = 'POST',
}) {
  const boundary = `----kehou${crypto.randomBytes(12).toString('hex')}`;
  const chunks = [];
  Object.keys(formData).forEach((key) => {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${formData[key]}\r\n`));
  });
  const ext = path.extname(filePath).slice(1) || 'bin';
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path.basename(filePath)}"\r\n`
    + `Content-Type: image/${ext === 'jpg' ? 'jpeg' : ext}\r\n\r\n`));
  chunks.push(fs.readFileSync(filePath));
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  const req = http.request(url, {
    method,
    timeout,
    headers: { ...header, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
  }, (res) => {
    const parts = [];
    res.on('data', (c) => parts.push(c));
    // like WeChat: the body as a string, never parsed
    res.on('end', () => success && success({ statusCode: res.statusCode, data: Buffer.concat(parts).toString('utf8'), errMsg: 'uploadFile:ok' }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => fail && fail({ errMsg: `uploadFile:fail ${err.message}` }));
  req.end(body);
  return { abort: () => req.destroy() };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Start a demo server; resolves with { origin, stop() } once /healthz answers 200. */
async function startDemoServer() {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kehou-e2e-'));
  const port = await freePort();
  const database = path.join(tmpDir, 'e2e.db');
  const media = path.join(tmpDir, 'media');
  // A copy of the demo database global-setup.js seeded once for the run, else (one suite run on its own
  // with a config that has no global setup) the server seeds its own.
  const template = process.env[TEMPLATE_ENV] ? JSON.parse(process.env[TEMPLATE_ENV]) : null;
  if (template) {
    fs.copyFileSync(path.join(template.dir, 'e2e.db'), database);
    if (fs.existsSync(path.join(template.dir, 'media'))) {
      fs.cpSync(path.join(template.dir, 'media'), media, { recursive: true });
    }
  }
  const env = backendEnv(template ? template.secret : crypto.randomBytes(32).toString('hex'), media);
  const server = spawn(PYTHON, [
    '-m', 'app.cli', 'demo-server',
    '--host', '127.0.0.1',
    '--port', String(port),
    '--database-url', `sqlite:///${database}`,
  ], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  server.stdout.on('data', (chunk) => { output += chunk; });
  server.stderr.on('data', (chunk) => { output += chunk; });
  server.on('exit', (code, signal) => { exited = { code, signal }; });
  server.on('error', (err) => { exited = { error: err.message }; });

  async function stop() {
    if (!exited) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) server.kill('SIGKILL'); }, 5000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`demo-server exited before answering /healthz (${JSON.stringify(exited)}):\n${output}`);
    }
    if ((await get(`${origin}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`demo-server did not answer GET /healthz with 200 within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(250);
  }
  return { origin, stop, output: () => output };
}

/**
 * Start a demo server for this describe block and point the client at it, logged in as `openid`
 * (actAs() to act as someone else). The returned object gets
 * `origin` once the server is up.
 */
function useDemoBackend(openid = 'demo-guardian') {
  const backend = {};
  beforeAll(async () => {
    Object.assign(backend, await startDemoServer());
    config.baseUrl = `${backend.origin}/api/v1`;
    config.devOpenid = openid;
    config.networkRetryDelays = [200, 500];
  }, STARTUP_TIMEOUT_MS + 10000);
  afterAll(async () => {
    if (backend.stop) await backend.stop();
  }, 15000);
  return backend;
}

/** Act as another demo login (`demo-teacher`, …) from the next request on: its dev code, no stored token. */
function actAs(openid, wxImpl = global.wx) {
  config.devOpenid = openid;
  wxImpl.storage.delete(TOKEN_KEY);
}

/**
 * A phone: wx over Node's http with its own storage (createNodeWx), the navigation APIs the pages call as mocks,
 * wx.uploadFile over http, and every modal confirmed.
 */
function createPhone() {
  return Object.assign(createNodeWx(), {
    navigateTo: jest.fn(),
    navigateBack: jest.fn(),
    redirectTo: jest.fn(),
    reLaunch: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    showModal: jest.fn((o) => setTimeout(() => o.success && o.success({ confirm: true, cancel: false }), 0)),
    uploadFile: jest.fn(uploadFile),
  });
}

/** A fresh phone (createPhone) made `global.wx`, acting as `openid` from its first request on. */
function phoneActingAs(openid) {
  const phone = createPhone();
  global.wx = phone;
  actAs(openid, phone);
  return phone;
}

module.exports = {
  describeIfBackend, useDemoBackend, startDemoServer, createNodeWx, createPhone, phoneActingAs, actAs, uploadFile, PNG,
  REPO_ROOT,
};
