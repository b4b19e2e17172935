/**
 * A fake `wx` for unit tests: storage in a Map, wx.login codes, and wx.request answered by
 * routes the test declares — a tiny fake backend.
 *
 *   let fake;
 *   beforeEach(() => { fake = setUpFakeBackend(); });   // a fresh fake as global.wx, logged in
 *   fake.route('GET', '/me', { status: 200, body: {...} });
 *   fake.route('POST', '/x', { network: true }, { status: 200, body: {} });  // answers in turn,
 *                                                                            // the last repeats
 *   fake.route('POST', '/y', (req) => ({ status: 201, body: req.data }));
 *   fake.route('POST', '/z', () => held.then(() => ({ status: 200, body: {} })));  // answers when `held` resolves
 *   fake.calls  // every request: { method, path, url, header, data }
 *   fake.sent('POST', '/x'), fake.mutations()   // the calls to one route; every call but GETs
 *   fake.answerModal(true)  // wx.showModal answers 确定 (false: 取消)
 */
const simulateApi = require('miniprogram-simulate/src/api');
const config = require('../../config/index');
const { TOKEN_KEY } = require('../../services/request');

const BASE_URL = 'http://api.test/api/v1';

function createFakeWx({ baseUrl = BASE_URL } = {}) {
  const storage = new Map();
  const routes = new Map();
  const calls = [];
  let loginCount = 0;
  const mock = typeof jest !== 'undefined' ? (fn) => jest.fn(fn) : (fn) => fn;

  function route(method, path, ...responses) {
    routes.set(`${method.toUpperCase()} ${path}`, { responses, next: 0 });
  }

  function answer(req) {
    const entry = routes.get(`${req.method} ${req.path}`);
    if (!entry) return { status: 404, body: { error: { code: 'NOT_FOUND', message: '未找到' } } };
    const index = Math.min(entry.next, entry.responses.length - 1);
    entry.next += 1;
    const response = entry.responses[index];
    return typeof response === 'function' ? response(req) : response;
  }

  const wx = {
    ...simulateApi,
    request: mock((options) => {
      const url = options.url;
      const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : url;
      const req = {
        method: (options.method || 'GET').toUpperCase(),
        path,
        url,
        header: { ...(options.header || {}) },
        data: options.data,
      };
      calls.push(req);
      const reply = (res) => {
        if (res.network) {
          if (options.fail) options.fail({ errMsg: 'request:fail timeout', errno: 5 });
        } else if (options.success) {
          options.success({ statusCode: res.status, data: res.body === undefined ? '' : res.body, header: {}, errMsg: 'request:ok' });
        }
        if (options.complete) options.complete({});
      };
      setTimeout(() => {
        const res = answer(req) || { status: 200, body: {} };
        // a route may answer later: a promise of the answer (a request held in flight)
        if (typeof res.then === 'function') res.then(reply);
        else reply(res);
      }, 0);
      return { abort() {} };
    }),
    login: mock((options = {}) => {
      loginCount += 1;
      const res = { code: `wx-code-${loginCount}`, errMsg: 'login:ok' };
      setTimeout(() => {
        if (options.success) options.success(res);
        if (options.complete) options.complete(res);
      }, 0);
    }),
    getStorageSync: mock((key) => (storage.has(key) ? storage.get(key) : '')),
    setStorageSync: mock((key, value) => { storage.set(key, value); }),
    removeStorageSync: mock((key) => { storage.delete(key); }),
    showToast: mock(() => {}),
    showModal: mock(() => {}),
    showLoading: mock(() => {}),
    hideLoading: mock(() => {}),
    navigateTo: mock(() => {}),
    navigateBack: mock(() => {}),
    redirectTo: mock(() => {}),
    reLaunch: mock(() => {}),
    stopPullDownRefresh: mock(() => {}),
  };

  /** wx.showModal answers from now on: confirm (true) or cancel (false). */
  function answerModal(confirm) {
    wx.showModal.mockImplementation((options) => {
      if (options.success) setTimeout(() => options.success({ confirm, cancel: !confirm }), 0);
    });
  }

  const sent = (method, path) => calls.filter((c) => c.method === method && c.path === path);
  const mutations = () => calls.filter((c) => c.method !== 'GET');

  return { wx, storage, calls, route, baseUrl, answerModal, sent, mutations };
}

/**
 * A route's answer from what a test gives: a function or a full answer ({status: 404, body} / {network: true}) as it
 * is, anything else (a body that may have a `status` of its own, like 'open') as the body of a 200.
 */
function answerOf(given) {
  if (typeof given === 'function') return given;
  const isAnswer = given && typeof given === 'object' && !Array.isArray(given)
    && (given.network === true || typeof given.status === 'number');
  return isAnswer ? given : { status: 200, body: given };
}

/** Create a fake and make it the global `wx`. */
function installFakeWx(options) {
  const fake = createFakeWx(options);
  global.wx = fake.wx;
  return fake;
}

/**
 * What every unit test starts from: a fresh fake as global.wx, services/request.js pointed at it (no dev
 * login, no wait between retries) and, unless `token` is null, a stored login token.
 */
function setUpFakeBackend({ token = 'stored-token' } = {}) {
  const fake = installFakeWx();
  config.baseUrl = BASE_URL;
  config.devOpenid = '';
  config.networkRetryDelays = [0, 0];
  if (token) fake.storage.set(TOKEN_KEY, token);
  return fake;
}

/** Let pending timers and promise callbacks run (fake requests answer on setTimeout 0). */
function flush(times = 5) {
  let p = Promise.resolve();
  for (let i = 0; i < times; i += 1) p = p.then(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return p;
}

/**
 * A page test's usual set-up, called at the top of its file: before each test a fresh fake backend (handed to
 * `use`, which keeps it for the test) and the clock stopped at `now` (school dates, 今天); after each, the clock
 * and other mocks restored.
 *
 *   let fake;
 *   fakeBackendEachTest(NOW, (f) => { fake = f; });
 */
function fakeBackendEachTest(now, use) {
  beforeEach(() => {
    use(setUpFakeBackend());
    jest.spyOn(Date, 'now').mockReturnValue(now);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
}

module.exports = {
  createFakeWx, installFakeWx, setUpFakeBackend, fakeBackendEachTest, flush, answerOf, BASE_URL,
};
