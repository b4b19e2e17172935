/**
 * The one API client. Every call to the backend goes through `request()`.
 *
 * - prefixes config.baseUrl and sends `Authorization: Bearer <token>` (token in storage `kehou.token`);
 * - on 401 it logs in again once (wx.login → POST /auth/wechat) and retries;
 * - `idempotent: true` mutations carry an `Idempotency-Key` that stays the same for every retry of the
 *   same logical call (after re-login and after network failures), so the server writes nothing twice;
 * - idempotent calls (and GETs) are retried up to twice when the network fails;
 * - errors `{"error": {"code", "message", "fields"?, "errors"?}}` become a Chinese toast and a rejected ApiError
 *   carrying `.code`, `.status`, `.fields` and `.errors` (per-item refusals, e.g. each child of a refused pickup);
 * - `upload()` sends a file (wx.uploadFile, multipart) with the same token, re-login and errors;
 * - `download()` fetches a file (wx.downloadFile, e.g. a .zip export) with the same token, re-login and errors.
 *
 * It uses nothing but the global `wx`, so tests can run it against any `wx` implementation.
 */
const config = require('../config/index');

const TOKEN_KEY = 'kehou.token';
// Retries after a network failure (no answer at all), for idempotent calls and logins.
const MAX_NETWORK_RETRIES = 2;

// Used when the server's error has no message (or there is no server answer at all).
const FALLBACK_MESSAGES = {
  NETWORK_ERROR: '网络不给力，请稍后再试',
  NOT_AUTHENTICATED: '请先登录',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '未找到相关内容',
  CONFLICT: '与现有数据冲突，请刷新后再试',
  VALIDATION_ERROR: '填写的内容有误，请检查',
  TOO_MANY_REQUESTS: '操作太频繁，请稍后再试',
  INTERNAL_ERROR: '服务器开小差了，请稍后再试',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后再试',
  WECHAT_LOGIN_FAILED: '微信登录失败，请稍后再试',
  WECHAT_CODE_INVALID: '微信登录凭证无效，请重试',
  BIND_NOT_MATCHED: '学号、姓名或手机号不匹配',
  BIND_RATE_LIMITED: '尝试次数过多，请稍后再试',
  GUARDIAN_ALREADY_BOUND: '该手机号已由其他微信账号绑定，请联系班主任',
  UNKNOWN_ERROR: '出了点问题，请稍后再试',
};

const STATUS_CODES = {
  401: 'NOT_AUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  502: 'SERVICE_UNAVAILABLE',
  503: 'SERVICE_UNAVAILABLE',
  504: 'SERVICE_UNAVAILABLE',
};

class ApiError extends Error {
  constructor({ code, message, status = 0, fields = null, errors = null }) {
    super(message);
    // keep instanceof working when the DevTools compiler turns classes into ES5
    Object.setPrototypeOf(this, ApiError.prototype);
    this.name = 'ApiError';
    this.isApiError = true;
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.errors = errors;
    this.toasted = false;
  }
}

function fallbackMessage(code) {
  return FALLBACK_MESSAGES[code] || FALLBACK_MESSAGES.UNKNOWN_ERROR;
}

function randomHex(length) {
  let out = '';
  for (let i = 0; i < length; i += 1) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

/** A UUID-v4-shaped random string, for Idempotency-Key headers and login nonces. */
function uuid() {
  const hex = randomHex(32).split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function getToken() {
  try {
    return wx.getStorageSync(TOKEN_KEY) || '';
  } catch (e) {
    return '';
  }
}

function setToken(token) {
  try {
    if (token) wx.setStorageSync(TOKEN_KEY, token);
    else wx.removeStorageSync(TOKEN_KEY);
  } catch (e) {
    // storage full or unavailable: the token then lives only as long as this request
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const BUSY_CODES = ['BUSY', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_IN_PROGRESS'];

/** Wait before network retry number `attempt` (0-based), from config.networkRetryDelays. */
function retryDelay(attempt) {
  const delays = config.networkRetryDelays || [];
  if (!delays.length) return 0;
  return delays[Math.min(attempt, delays.length - 1)] || 0;
}

function parseBody(data) {
  if (typeof data === 'string' && data) {
    try {
      return JSON.parse(data);
    } catch (e) {
      return data;
    }
  }
  return data;
}

/** One wx.request, as a promise: resolves with any HTTP answer, rejects only when no answer came. */
function send({ url, method, data, header }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.baseUrl + url,
      method,
      data,
      header,
      timeout: config.timeout,
      dataType: 'json',
      success: (res) => resolve({ statusCode: res.statusCode, data: parseBody(res.data), header: res.header }),
      fail: (err) => reject(err),
    });
  });
}

function networkError(cause) {
  const err = new ApiError({ code: 'NETWORK_ERROR', message: fallbackMessage('NETWORK_ERROR') });
  err.cause = cause;
  return err;
}

function errorFromResponse(res) {
  const body = res.data && typeof res.data === 'object' ? res.data.error : null;
  const status = res.statusCode;
  const code = (body && body.code) || STATUS_CODES[status] || (status >= 500 ? 'INTERNAL_ERROR' : 'UNKNOWN_ERROR');
  const message = (body && body.message) || fallbackMessage(code);
  const errors = body && Array.isArray(body.errors) ? body.errors : null;
  return new ApiError({ code, message, status, fields: (body && body.fields) || null, errors });
}

/** Show the error's Chinese message as a toast, once per error. */
function showErrorToast(err) {
  if (!err || err.toasted) return;
  const title = err.message || fallbackMessage(err.code);
  try {
    wx.showToast({ title, icon: 'none', duration: 2500 });
  } catch (e) {
    // a toast is best effort
  }
  err.toasted = true;
}

function wxLoginCode() {
  if (config.devOpenid) {
    // Local runs against the fake WeChat server: a fresh nonce makes each code single-use, like WeChat's.
    return Promise.resolve(`dev:${config.devOpenid}:${randomHex(16)}`);
  }
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => {
        if (res && res.code) resolve(res.code);
        else reject(new ApiError({ code: 'WECHAT_LOGIN_FAILED', message: fallbackMessage('WECHAT_LOGIN_FAILED') }));
      },
      fail: () => reject(new ApiError({ code: 'WECHAT_LOGIN_FAILED', message: fallbackMessage('WECHAT_LOGIN_FAILED') })),
    });
  });
}

async function doLogin() {
  for (let attempt = 0; ; attempt += 1) {
    // a wx.login code is single-use, so every attempt asks for a new one
    const code = await wxLoginCode();
    let res;
    try {
      res = await send({
        url: '/auth/wechat',
        method: 'POST',
        data: { code },
        header: { 'content-type': 'application/json' },
      });
    } catch (cause) {
      if (attempt < MAX_NETWORK_RETRIES) {
        await sleep(retryDelay(attempt));
        continue;
      }
      throw networkError(cause);
    }
    if (res.statusCode >= 200 && res.statusCode < 300 && res.data && res.data.access_token) {
      setToken(res.data.access_token);
      return res.data;
    }
    throw errorFromResponse(res);
  }
}

let pendingLogin = null;

/**
 * Log in with WeChat and store the token. Concurrent callers share one login.
 * Resolves with `{access_token, token_type, expires_in}`; on failure shows a toast
 * (unless `{toast: false}`) and rejects with an ApiError.
 */
function login({ toast = true } = {}) {
  if (!pendingLogin) {
    pendingLogin = doLogin().then(
      (result) => {
        pendingLogin = null;
        return result;
      },
      (err) => {
        pendingLogin = null;
        throw err;
      },
    );
  }
  return pendingLogin.catch((err) => {
    if (toast) showErrorToast(err);
    throw err;
  });
}

function logout() {
  setToken('');
}

/**
 * Send one logical call: the token, logging in first when there is none, one re-login on 401, retries
 * when no answer came (or the server was busy) if `retryOnNetworkFailure`, and errors as ApiError (+ toast).
 * `sendOnce(headers)` makes one attempt and resolves with `{statusCode, data}` (rejects: no answer).
 */
async function call(sendOnce, { header = {}, auth = true, toast = true, retryOnNetworkFailure = false }) {
  let networkFailures = 0;
  let loggedIn = false;

  try {
    if (auth && !getToken()) {
      await login({ toast: false });
      loggedIn = true;
    }
    for (;;) {
      const headers = { ...header };
      const sentToken = auth ? getToken() : '';
      if (sentToken) headers.Authorization = `Bearer ${sentToken}`;

      let res;
      try {
        res = await sendOnce(headers);
      } catch (cause) {
        if (retryOnNetworkFailure && networkFailures < MAX_NETWORK_RETRIES) {
          await sleep(retryDelay(networkFailures));
          networkFailures += 1;
          continue;
        }
        throw networkError(cause);
      }

      if (res.statusCode === 401 && auth && !loggedIn) {
        loggedIn = true;
        if (getToken() === sentToken) setToken('');
        // Log in, or join a login already under way; if another call has already logged in
        // while this one was in flight, just retry with its token.
        if (pendingLogin || !getToken()) await login({ toast: false });
        continue;
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return res.data === undefined || res.data === '' ? null : res.data;
      }
      const failure = errorFromResponse(res);
      // A rush (503 BUSY) or the first of a double tap still running: nothing was done, try again.
      if (retryOnNetworkFailure && BUSY_CODES.indexOf(failure.code) >= 0 && networkFailures < MAX_NETWORK_RETRIES) {
        await sleep(retryDelay(networkFailures));
        networkFailures += 1;
        continue;
      }
      throw failure;
    }
  } catch (err) {
    let apiErr = err;
    if (!(err && err.isApiError)) {
      apiErr = new ApiError({ code: 'UNKNOWN_ERROR', message: fallbackMessage('UNKNOWN_ERROR') });
      apiErr.cause = err;
    }
    if (toast) showErrorToast(apiErr);
    throw apiErr;
  }
}

/**
 * Call the API. Resolves with the response body (2xx); rejects with an ApiError.
 *   url         path under config.baseUrl, e.g. '/me'
 *   method      'GET' (default), 'POST', 'PUT', 'PATCH', 'DELETE'
 *   data        JSON body (or query for GET)
 *   idempotent  mutation the server deduplicates by Idempotency-Key: safe to retry
 *   idempotencyKey  the key to send (idempotent calls), when the page keeps one across taps: a tap again after
 *               no answer came resends the same request under the same key and gets the first answer
 *   retry       send again when no answer came (default: GETs and idempotent calls); true for a POST that
 *               changes nothing (a check), false for a GET that must not wait
 *   auth        send the token and re-login on 401 (default true)
 *   toast       show a toast on failure (default true); the error is rejected either way
 */
function request({
  url, method = 'GET', data, idempotent = false, idempotencyKey: key = null, retry, header = {}, auth = true, toast = true,
}) {
  const verb = String(method).toUpperCase();
  const idempotencyKey = idempotent ? (key || uuid()) : null;
  const headers = { 'content-type': 'application/json', ...header };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  return call((withAuth) => send({ url, method: verb, data, header: withAuth }), {
    header: headers,
    auth,
    toast,
    retryOnNetworkFailure: retry === undefined ? idempotent || verb === 'GET' || verb === 'HEAD' : Boolean(retry),
  });
}

/** One wx.uploadFile (multipart POST), as a promise like send(); the JSON answer arrives as a string. */
function sendFile({ url, filePath, name, formData, header }) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: config.baseUrl + url,
      filePath,
      name,
      formData,
      header,
      timeout: config.uploadTimeout || 60000,
      success: (res) => resolve({ statusCode: res.statusCode, data: parseBody(res.data), header: res.header }),
      fail: (err) => reject(err),
    });
  });
}

/**
 * Upload a local file (wx.chooseMedia's tempFilePath) with wx.uploadFile: a multipart POST whose file
 * part is called `name`. Same token, login-first, re-login on 401, errors and toasts as request();
 * resolves with the parsed JSON body.
 *   url        path under config.baseUrl, e.g. '/clubs/3/cover'
 *   filePath   the local file
 *   name       the multipart field (default 'file')
 *   formData   other multipart fields
 *   retry      send again when no answer came or the server was busy (default true)
 *
 * No Idempotency-Key: the multipart boundary changes on every attempt, so the server would see a
 * different body under the same key (IDEMPOTENCY_KEY_REUSED). Use it for uploads that replace something
 * (a cover, a photo), where sending the same file twice leaves the same result; pass `retry: false`
 * for anything else.
 */
function upload({ url, filePath, name = 'file', formData, header = {}, auth = true, toast = true, retry = true }) {
  return call((withAuth) => sendFile({ url, filePath, name, formData, header: withAuth }), {
    header,
    auth,
    toast,
    retryOnNetworkFailure: retry,
  });
}

/** The JSON error body wx.downloadFile wrote to the file instead of handing it over; null when unreadable. */
function readErrorBody(tempFilePath) {
  try {
    if (!tempFilePath || typeof wx.getFileSystemManager !== 'function') return null;
    return parseBody(wx.getFileSystemManager().readFileSync(tempFilePath, 'utf8'));
  } catch (e) {
    return null;
  }
}

/** One wx.downloadFile (a GET into a temporary file), as a promise like send(): a 2xx → data {tempFilePath}. */
function fetchFile({ url, header }) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: config.baseUrl + url,
      header,
      timeout: config.uploadTimeout || 60000,
      success: (res) => {
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        resolve({ statusCode: res.statusCode, data: ok ? { tempFilePath: res.tempFilePath } : readErrorBody(res.tempFilePath) });
      },
      fail: (err) => reject(err),
    });
  });
}

/**
 * Download a file the API makes (a .zip export) with wx.downloadFile: a GET with the same token, login-first, re-login
 * on 401, retries and errors (the JSON error body read back from the file) as request(); resolves with
 * `{tempFilePath}`, a temporary file to save (FileSystemManager.saveFile) or hand on (wx.shareFileMessage).
 */
function download({ url, header = {}, auth = true, toast = true, retry = true }) {
  return call((withAuth) => fetchFile({ url, header: withAuth }), {
    header,
    auth,
    toast,
    retryOnNetworkFailure: retry,
  });
}

module.exports = {
  request,
  upload,
  download,
  login,
  logout,
  getToken,
  showErrorToast,
  uuid,
  ApiError,
  TOKEN_KEY,
};
