/**
 * The real backend for the console's end-to-end tests: `python -m app.cli demo-server` (migrate, seed the demo
 * school, serve) on a free loopback port with a throw-away SQLite file, like the mini-program's e2e suites
 * (miniprogram/tests/e2e/backend.js).
 *
 *   const server = await startDemoServer();   // { origin, stop(), output() }
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');
const STARTUP_TIMEOUT_MS = 90000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function healthy(origin) {
  try {
    const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch (e) {
    return false;
  }
}

export async function startDemoServer() {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`make install\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'kehou-console-'));
  const port = await freePort();
  const env = {
    ...process.env,
    ENV: 'dev',
    JWT_SECRET: randomBytes(32).toString('hex'),
    WECHAT_APPID: '',
    WECHAT_SECRET: '',
    WECHAT_BASE_URL: '', // the in-process fake WeChat
    MEDIA_DIR: join(dir, 'media'),
    PYTHONUNBUFFERED: '1',
  };
  delete env.DATABASE_URL;
  const child = spawn(PYTHON, ['-m', 'app.cli', 'demo-server', '--host', '127.0.0.1', '--port', String(port),
    '--database-url', `sqlite:///${join(dir, 'console.db')}`], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  child.on('error', (error) => { exited = { error: error.message }; });

  async function stop() {
    if (!exited) {
      const gone = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`demo-server exited before answering /healthz (${JSON.stringify(exited)}):\n${output}`);
    }
    if (await healthy(origin)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`demo-server did not answer /healthz within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(200);
  }
  return { origin, stop, output: () => output };
}

/** A tiny API client for the tests' own checks (not the console's code): login, then JSON calls. */
export async function apiAs(origin, username, password) {
  const call = async (method, path, { token, body } = {}) => {
    const response = await fetch(`${origin}/api/v1${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    return { status: response.status, data };
  };
  const login = await call('POST', '/auth/password', { body: { username, password } });
  if (login.status !== 200) throw new Error(`login as ${username} failed: ${JSON.stringify(login.data)}`);
  const token = login.data.access_token;
  const ok = async (method, path, body) => {
    const reply = await call(method, path, { token, body });
    if (reply.status >= 400) throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.data)}`);
    return reply.data;
  };
  return {
    token,
    get: (path) => ok('GET', path),
    post: (path, body) => ok('POST', path, body),
    call: (method, path, body) => call(method, path, { token, body }),
  };
}
