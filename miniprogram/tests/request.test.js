const config = require('../config/index');
const { request, upload, login, ApiError, TOKEN_KEY } = require('../services/request');
const { setUpFakeBackend, BASE_URL } = require('./helpers/fake-wx');
const { addUpload } = require('./helpers/fake-upload');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ME = { account_id: 1, name: '王芳', roles: ['guardian'], schools: [], children: [] };

function token(n) {
  return { status: 200, body: { access_token: `token-${n}`, token_type: 'bearer', expires_in: 3600 } };
}

let fake;

beforeEach(() => {
  fake = setUpFakeBackend({ token: null });
});

describe('authorisation', () => {
  test('prefixes baseUrl and sends the stored token', async () => {
    fake.storage.set(TOKEN_KEY, 'stored-token');
    fake.route('GET', '/me', { status: 200, body: ME });

    await expect(request({ url: '/me' })).resolves.toEqual(ME);

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].url).toBe(`${BASE_URL}/me`);
    expect(fake.calls[0].header.Authorization).toBe('Bearer stored-token');
    expect(fake.calls[0].header['Idempotency-Key']).toBeUndefined();
  });

  test('without a token it logs in first with the wx.login code', async () => {
    fake.route('POST', '/auth/wechat', token(1));
    fake.route('GET', '/me', { status: 200, body: ME });

    await request({ url: '/me' });

    expect(fake.wx.login).toHaveBeenCalledTimes(1);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /auth/wechat', 'GET /me']);
    expect(fake.calls[0].data).toEqual({ code: 'wx-code-1' });
    expect(fake.calls[0].header.Authorization).toBeUndefined();
    expect(fake.calls[1].header.Authorization).toBe('Bearer token-1');
    expect(fake.storage.get(TOKEN_KEY)).toBe('token-1');
  });

  test('with devOpenid the login code is dev:<openid>:<nonce>, fresh each time', async () => {
    config.devOpenid = 'demo-guardian';
    fake.route('POST', '/auth/wechat', token(1), token(2));

    await login();
    await login();

    expect(fake.wx.login).not.toHaveBeenCalled();
    const codes = fake.calls.map((c) => c.data.code);
    codes.forEach((code) => expect(code).toMatch(/^dev:demo-guardian:[^\s:]+$/));
    expect(codes[0]).not.toBe(codes[1]);
    expect(fake.storage.get(TOKEN_KEY)).toBe('token-2');
  });

  test('401 → logs in again once and retries with the new token', async () => {
    fake.storage.set(TOKEN_KEY, 'expired-token');
    fake.route('GET', '/me',
      { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } },
      { status: 200, body: ME });
    fake.route('POST', '/auth/wechat', token(2));

    await expect(request({ url: '/me' })).resolves.toEqual(ME);

    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me', 'POST /auth/wechat', 'GET /me']);
    expect(fake.calls[0].header.Authorization).toBe('Bearer expired-token');
    expect(fake.calls[2].header.Authorization).toBe('Bearer token-2');
    expect(fake.wx.showToast).not.toHaveBeenCalled();
  });

  test('a second 401 is not retried again: rejects NOT_AUTHENTICATED', async () => {
    fake.storage.set(TOKEN_KEY, 'expired-token');
    fake.route('GET', '/me', { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } });
    fake.route('POST', '/auth/wechat', token(2));

    const err = await request({ url: '/me' }).catch((e) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'NOT_AUTHENTICATED', status: 401, message: '请先登录' });
    expect(fake.calls.filter((c) => c.path === '/auth/wechat')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === '/me')).toHaveLength(2);
    expect(fake.wx.showToast).toHaveBeenCalledTimes(1);
  });

  test('concurrent 401s share one login', async () => {
    fake.storage.set(TOKEN_KEY, 'expired-token');
    fake.route('GET', '/me', (req) => (req.header.Authorization === 'Bearer token-1'
      ? { status: 200, body: ME }
      : { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } }));
    fake.route('POST', '/auth/wechat', token(1));

    await Promise.all([request({ url: '/me' }), request({ url: '/me' }), request({ url: '/me' })]);

    expect(fake.calls.filter((c) => c.path === '/auth/wechat')).toHaveLength(1);
  });

  test('a 401 for a call sent before another call re-logged in just retries with the new token', async () => {
    fake.storage.set(TOKEN_KEY, 'expired-token');
    fake.route('GET', '/me', (req) => (req.header.Authorization === 'Bearer token-1'
      ? { status: 200, body: ME }
      : { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } }));
    fake.route('POST', '/auth/wechat', token(2));

    const late = request({ url: '/me' }); // goes out now, with the expired token
    fake.storage.set(TOKEN_KEY, 'token-1'); // meanwhile another call logged in
    await expect(late).resolves.toEqual(ME);

    expect(fake.calls.filter((c) => c.path === '/auth/wechat')).toHaveLength(0);
    expect(fake.calls.map((c) => c.header.Authorization)).toEqual(['Bearer expired-token', 'Bearer token-1']);
  });

  test('a failed login shows the server message and rejects with its code', async () => {
    fake.route('POST', '/auth/wechat',
      { status: 400, body: { error: { code: 'WECHAT_CODE_INVALID', message: '微信登录凭证无效，请重试' } } });

    const err = await request({ url: '/me' }).catch((e) => e);

    expect(err).toMatchObject({ code: 'WECHAT_CODE_INVALID', status: 400 });
    expect(fake.wx.showToast).toHaveBeenCalledTimes(1);
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '微信登录凭证无效，请重试', icon: 'none' }));
    expect(fake.calls.some((c) => c.path === '/me')).toBe(false);
  });
});

describe('Idempotency-Key', () => {
  beforeEach(() => fake.storage.set(TOKEN_KEY, 'stored-token'));

  test('is sent on idempotent mutations and reused across network-failure retries', async () => {
    fake.route('POST', '/attendance', { network: true }, { network: true }, { status: 200, body: { ok: true } });

    await expect(request({ url: '/attendance', method: 'POST', data: { a: 1 }, idempotent: true }))
      .resolves.toEqual({ ok: true });

    expect(fake.calls).toHaveLength(3);
    const keys = fake.calls.map((c) => c.header['Idempotency-Key']);
    expect(keys[0]).toMatch(UUID_RE);
    expect(new Set(keys).size).toBe(1);
    expect(fake.wx.showToast).not.toHaveBeenCalled();
  });

  test('is reused on the retry after re-login', async () => {
    fake.route('POST', '/attendance',
      { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } },
      { network: true },
      { status: 200, body: { ok: true } });
    fake.route('POST', '/auth/wechat', token(2));

    await request({ url: '/attendance', method: 'POST', idempotent: true });

    const attempts = fake.calls.filter((c) => c.path === '/attendance');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((c) => c.header['Idempotency-Key'])).size).toBe(1);
    expect(attempts[2].header.Authorization).toBe('Bearer token-2');
    expect(fake.calls.find((c) => c.path === '/auth/wechat').header['Idempotency-Key']).toBeUndefined();
  });

  test('differs between two logical calls', async () => {
    fake.route('POST', '/attendance', { status: 200, body: {} });

    await request({ url: '/attendance', method: 'POST', idempotent: true });
    await request({ url: '/attendance', method: 'POST', idempotent: true });

    const [a, b] = fake.calls.map((c) => c.header['Idempotency-Key']);
    expect(a).toMatch(UUID_RE);
    expect(b).toMatch(UUID_RE);
    expect(a).not.toBe(b);
  });

  test('gives up after 2 network retries with NETWORK_ERROR', async () => {
    fake.route('POST', '/attendance', { network: true });

    const err = await request({ url: '/attendance', method: 'POST', idempotent: true }).catch((e) => e);

    expect(fake.calls).toHaveLength(3);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0, message: '网络不给力，请稍后再试' });
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
  });

  test('a busy server (503) or a key still in progress is tried again with the same key', async () => {
    fake.route('POST', '/clubs/1/enrollments',
      { status: 503, body: { error: { code: 'BUSY', message: '人数太多，请稍后再试' } } },
      { status: 409, body: { error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: '请求正在处理，请稍候' } } },
      { status: 200, body: { status: 'enrolled' } });

    await expect(request({ url: '/clubs/1/enrollments', method: 'POST', idempotent: true }))
      .resolves.toEqual({ status: 'enrolled' });

    expect(fake.calls).toHaveLength(3);
    expect(new Set(fake.calls.map((c) => c.header['Idempotency-Key'])).size).toBe(1);
  });

  test('a busy answer to a call that is not retry-safe is shown, not retried', async () => {
    fake.route('POST', '/handoff', { status: 503, body: { error: { code: 'BUSY', message: '人数太多，请稍后再试' } } });

    const err = await request({ url: '/handoff', method: 'POST' }).catch((e) => e);

    expect(fake.calls).toHaveLength(1);
    expect(err).toMatchObject({ code: 'BUSY', status: 503 });
  });

  test('a key the page keeps (idempotencyKey) is the one sent, on every retry and on a second call', async () => {
    fake.route('POST', '/pickup/handoffs', { network: true }, { status: 200, body: { ok: 1 } });
    const key = 'kept-key-1';

    await request({ url: '/pickup/handoffs', method: 'POST', idempotent: true, idempotencyKey: key });
    await request({ url: '/pickup/handoffs', method: 'POST', idempotent: true, idempotencyKey: key });

    expect(fake.calls.map((c) => c.header['Idempotency-Key'])).toEqual([key, key, key]);
  });

  test('retry: true resends a POST that changes nothing (without a key); retry: false sends a GET once', async () => {
    fake.route('POST', '/pickup/verify', { network: true }, { status: 200, body: { children: [] } });
    fake.route('GET', '/pickup/today', { network: true });

    await expect(request({ url: '/pickup/verify', method: 'POST', retry: true })).resolves.toEqual({ children: [] });
    expect(fake.sent('POST', '/pickup/verify')).toHaveLength(2);
    expect(fake.calls[0].header['Idempotency-Key']).toBeUndefined();

    await expect(request({ url: '/pickup/today', retry: false, toast: false })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(fake.sent('GET', '/pickup/today')).toHaveLength(1);
  });

  test('a mutation not marked idempotent has no key and is not retried', async () => {
    fake.route('POST', '/handoff', { network: true }, { status: 200, body: {} });

    const err = await request({ url: '/handoff', method: 'POST' }).catch((e) => e);

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].header['Idempotency-Key']).toBeUndefined();
    expect(err.code).toBe('NETWORK_ERROR');
  });
});

describe('errors', () => {
  beforeEach(() => fake.storage.set(TOKEN_KEY, 'stored-token'));

  test('server error → toast with its message, rejected ApiError with code, status and fields', async () => {
    const fields = { phone: '格式不正确' };
    fake.route('POST', '/guardians/bind',
      { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：phone格式不正确', fields } } });

    const err = await request({ url: '/guardians/bind', method: 'POST', data: {} }).catch((e) => e);

    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', status: 422, fields, message: '输入有误：phone格式不正确' });
    expect(fake.wx.showToast).toHaveBeenCalledWith({ title: '输入有误：phone格式不正确', icon: 'none', duration: 2500 });
  });

  test('per-item refusals (error.errors) come with the error', async () => {
    const errors = [{ student_id: 7, code: 'CHILD_ALREADY_RELEASED', message: '已由 妈妈（李娜）17:23 接走，王老师确认' }];
    fake.route('POST', '/pickup/handoffs', { status: 409, body: { error: { code: 'PICKUP_REFUSED', message: '没有接走', errors } } });
    fake.route('GET', '/x', { status: 409, body: { error: { code: 'CONFLICT', message: '冲突' } } });

    await expect(request({ url: '/pickup/handoffs', method: 'POST', toast: false }))
      .rejects.toMatchObject({ code: 'PICKUP_REFUSED', status: 409, errors });
    await expect(request({ url: '/x', toast: false })).rejects.toMatchObject({ errors: null });
  });

  test('falls back to a local Chinese message when the server gives none', async () => {
    fake.route('GET', '/a', { status: 403, body: { error: { code: 'FORBIDDEN' } } });
    fake.route('GET', '/b', { status: 502, body: '<html>Bad Gateway</html>' });
    fake.route('GET', '/c', { status: 400, body: { error: { code: 'SOMETHING_NEW' } } });

    await expect(request({ url: '/a' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: '没有权限进行此操作' });
    await expect(request({ url: '/b' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 502 });
    await expect(request({ url: '/c' })).rejects.toMatchObject({ code: 'SOMETHING_NEW', message: '出了点问题，请稍后再试' });
    expect(fake.wx.showToast.mock.calls.map(([o]) => o.title))
      .toEqual(['没有权限进行此操作', '服务暂时不可用，请稍后再试', '出了点问题，请稍后再试']);
  });

  test('toast: false rejects without a toast', async () => {
    fake.route('POST', '/guardians/bind',
      { status: 400, body: { error: { code: 'BIND_NOT_MATCHED', message: '学号、姓名或手机号不匹配' } } });

    await expect(request({ url: '/guardians/bind', method: 'POST', toast: false }))
      .rejects.toMatchObject({ code: 'BIND_NOT_MATCHED', status: 400 });
    expect(fake.wx.showToast).not.toHaveBeenCalled();
  });

  test('GET is retried on network failure, then succeeds', async () => {
    fake.route('GET', '/me', { network: true }, { status: 200, body: ME });

    await expect(request({ url: '/me' })).resolves.toEqual(ME);
    expect(fake.calls).toHaveLength(2);
  });
});


describe('upload (wx.uploadFile)', () => {
  const COVER = { id: 3, name: '儿童画', cover_url: '/api/v1/clubs/3/cover/a.png?exp=1&sig=x' };
  const denied = { status: 401, body: { error: { code: 'NOT_AUTHENTICATED', message: '请先登录' } } };

  beforeEach(() => addUpload(fake));

  test('posts the file under its field with the token, no JSON content-type, no Idempotency-Key; parses the answer', async () => {
    fake.storage.set(TOKEN_KEY, 'stored-token');
    fake.route('POST', '/clubs/3/cover', { status: 200, body: COVER });

    const result = await upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.png' });

    // uploadFile hands back a string; upload() resolves with the parsed JSON
    expect(result).toEqual(COVER);
    expect(fake.wx.uploadFile).toHaveBeenCalledTimes(1);
    const options = fake.wx.uploadFile.mock.calls[0][0];
    expect(options.url).toBe(`${BASE_URL}/clubs/3/cover`);
    expect(options.name).toBe('file');
    expect(options.filePath).toBe('wxfile://tmp/a.png');
    expect(options.header).toEqual({ Authorization: 'Bearer stored-token' });
    expect(options.timeout).toBeGreaterThan(0);
    expect(fake.wx.request.mock.calls.filter(([o]) => o.url.endsWith('/clubs/3/cover'))).toHaveLength(1);
  });

  test('logs in first when there is no token', async () => {
    fake.route('POST', '/auth/wechat', token(1));
    fake.route('POST', '/clubs/3/cover', { status: 200, body: COVER });

    await upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.png', name: 'picture', formData: { note: 'x' } });

    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /auth/wechat', 'POST /clubs/3/cover']);
    expect(fake.calls[1].header.Authorization).toBe('Bearer token-1');
    expect(fake.calls[1].data.upload).toEqual(expect.objectContaining({ name: 'picture', formData: { note: 'x' } }));
  });

  test('401 → logs in again once and sends the file again with the new token; a second 401 is final', async () => {
    fake.storage.set(TOKEN_KEY, 'expired-token');
    fake.route('POST', '/clubs/3/cover', denied, { status: 200, body: COVER });
    fake.route('POST', '/auth/wechat', token(2));

    await expect(upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.png' })).resolves.toEqual(COVER);
    const sent = fake.calls.filter((c) => c.path === '/clubs/3/cover');
    expect(sent.map((c) => c.header.Authorization)).toEqual(['Bearer expired-token', 'Bearer token-2']);
    expect(sent[1].data.upload.filePath).toBe('wxfile://tmp/a.png');

    fake.storage.set(TOKEN_KEY, 'expired-again');
    fake.route('POST', '/clubs/4/cover', denied);
    fake.route('POST', '/auth/wechat', token(3));
    const err = await upload({ url: '/clubs/4/cover', filePath: 'wxfile://tmp/a.png' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_AUTHENTICATED', status: 401 });
    expect(fake.calls.filter((c) => c.path === '/clubs/4/cover')).toHaveLength(2);
  });

  test('a lost answer is sent again (replacing a cover twice is harmless); retry: false sends once', async () => {
    fake.storage.set(TOKEN_KEY, 'stored-token');
    fake.route('POST', '/clubs/3/cover', { network: true }, { status: 200, body: COVER });

    await expect(upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.png' })).resolves.toEqual(COVER);
    expect(fake.calls.filter((c) => c.path === '/clubs/3/cover')).toHaveLength(2);

    fake.route('POST', '/students/1/photo', { network: true }, { status: 200, body: {} });
    const err = await upload({ url: '/students/1/photo', filePath: 'wxfile://tmp/b.jpg', retry: false }).catch((e) => e);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', message: '网络不给力，请稍后再试' });
    expect(fake.calls.filter((c) => c.path === '/students/1/photo')).toHaveLength(1);
  });

  test('an error answer (a JSON string) becomes an ApiError with a toast, or none with toast: false', async () => {
    fake.storage.set(TOKEN_KEY, 'stored-token');
    fake.route('POST', '/clubs/3/cover',
      { status: 415, body: { error: { code: 'PHOTO_NOT_IMAGE', message: '只能上传 JPG 或 PNG 格式的照片' } } });

    const err = await upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.gif' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'PHOTO_NOT_IMAGE', status: 415, message: '只能上传 JPG 或 PNG 格式的照片' });
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '只能上传 JPG 或 PNG 格式的照片' }));

    fake.wx.showToast.mockClear();
    await expect(upload({ url: '/clubs/3/cover', filePath: 'wxfile://tmp/a.gif', toast: false }))
      .rejects.toMatchObject({ code: 'PHOTO_NOT_IMAGE' });
    expect(fake.wx.showToast).not.toHaveBeenCalled();
  });
});
