/**
 * The console's one API client: fetch with the Bearer token kept in sessionStorage (gone when the tab closes).
 *
 *   import { api, ApiError } from './api.js';
 *   const terms = await api.get(`/schools/${id}/terms`);
 *   await api.post(`/terms/${termId}/applications/bulk-approve`, { application_ids: [1, 2] });
 *
 * Every failure becomes an ApiError with the backend's error shape
 * `{"error": {"code", "message", "fields"?, "errors"?}}`: `code` (stable English), `message` (Chinese, for people),
 * `fields` and `errors` (row-by-row problems, e.g. of a roster import). A 401 forgets the token and calls
 * `onUnauthenticated` (the app shows the login page).
 */

export const API_BASE = '/api/v1';
export const TOKEN_KEY = 'kehou.console.token';

// Chinese messages for replies that carry no error body of ours (a proxy's 502, a dropped connection…).
const STATUS_MESSAGES = {
  400: '请求有误',
  401: '请先登录',
  403: '没有权限进行此操作',
  404: '未找到',
  409: '与现有数据冲突',
  413: '文件太大',
  415: '文件格式不支持',
  422: '输入有误，请检查后重试',
  429: '操作过于频繁，请稍后再试',
  500: '服务器出错了，请稍后再试',
  502: '服务器暂时无法访问，请稍后再试',
  503: '服务暂时不可用，请稍后再试',
  504: '服务器响应超时，请稍后再试',
};

export class ApiError extends Error {
  constructor({ status = 0, code = 'NETWORK_ERROR', message = '网络连接失败，请检查网络后重试', fields = null, errors = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.errors = errors;
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

let onUnauthenticated = () => {};

/** Called after any 401 (the token has been forgotten by then). */
export function setUnauthenticatedHandler(handler) {
  onUnauthenticated = handler;
}

function url(path, query) {
  const target = new URL(API_BASE + path, window.location.origin);
  Object.entries(query || {}).forEach(([key, value]) => {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(key, String(value));
  });
  return target.pathname + target.search;
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // not JSON: a proxy or the network answered, not our backend
  }
  const error = body && body.error;
  if (error && typeof error.message === 'string') {
    return new ApiError({ status: response.status, code: error.code, message: error.message,
                          fields: error.fields || null, errors: error.errors || null });
  }
  return new ApiError({ status: response.status, code: `HTTP_${response.status}`,
                        message: STATUS_MESSAGES[response.status] || `请求失败（${response.status}）` });
}

/**
 * One request. `body` is sent as JSON, `form` (a FormData) as multipart; `query` becomes the query string.
 * Resolves with the parsed JSON (or null for an empty reply).
 */
export async function request(method, path, { query, body, form, auth = true, as = 'json' } = {}) {
  const headers = { Accept: as === 'blob' ? '*/*' : 'application/json' };
  const token = session.token;
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    payload = form; // the browser sets multipart/form-data with its boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError();
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && auth) {
      session.token = null;
      onUnauthenticated(error);
    }
    throw error;
  }
  if (as === 'blob') return response.blob();
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body, query) => request('POST', path, { body, query }),
  put: (path, body, query) => request('PUT', path, { body, query }),
  patch: (path, body, query) => request('PATCH', path, { body, query }),
  delete: (path, query) => request('DELETE', path, { query }),
  upload: (path, form, query) => request('POST', path, { form, query }),
  blob: (path, query) => request('GET', path, { query, as: 'blob' }),
};

/** Fetch a file with the token (a plain link cannot send it) and hand it to the browser as a download. */
export async function download(path, query, filename) {
  const blob = await api.blob(path, query);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

/** Staff password login (POST /auth/password); keeps the token for this tab. */
export async function login(username, password) {
  const token = await request('POST', '/auth/password', { body: { username, password }, auth: false });
  session.token = token.access_token;
  return token;
}

export function logout() {
  session.token = null;
}
