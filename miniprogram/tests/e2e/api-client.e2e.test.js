/**
 * End to end: the real services/request.js against the real backend on loopback (tests/e2e/backend.js),
 * logged in the way a local run does (devOpenid → `dev:<openid>:<nonce>` codes accepted by the
 * backend's fake WeChat).
 */
const { request, login, getToken, TOKEN_KEY } = require('../../services/request');
const auth = require('../../services/auth');
const guardian = require('../../services/guardian');
const privacy = require('../../services/privacy');
const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');

describeIfBackend('request.js against the real backend (demo-server)', () => {
  const backend = useDemoBackend('demo-guardian');
  let wxImpl;

  beforeEach(() => {
    wxImpl = createNodeWx();
    global.wx = wxImpl;
  });

  test('the demo guardian logs in and sees their children', async () => {
    const tokenResponse = await login();

    expect(tokenResponse.token_type).toBe('bearer');
    expect(typeof tokenResponse.access_token).toBe('string');
    expect(getToken()).toBe(tokenResponse.access_token);
    expect(wxImpl.storage.get(TOKEN_KEY)).toBe(tokenResponse.access_token);

    const profile = await auth.me();

    expect(profile.roles).toContain('guardian');
    expect(profile.children.length).toBeGreaterThanOrEqual(1);
    profile.children.forEach((child) => {
      expect(child).toEqual(expect.objectContaining({
        id: expect.any(Number),
        name: expect.any(String),
        class_name: expect.any(String),
        school_name: expect.any(String),
      }));
    });
    expect(wxImpl.toasts).toEqual([]);
    const meCall = wxImpl.requests.find((r) => r.url.endsWith('/api/v1/me'));
    expect(meCall.header.Authorization).toBe(`Bearer ${tokenResponse.access_token}`);
  });

  test('a rejected token is replaced by logging in again, and the call succeeds', async () => {
    wxImpl.storage.set(TOKEN_KEY, 'not-a-valid-token');

    const profile = await request({ url: '/me' });

    expect(profile.roles).toContain('guardian');
    expect(wxImpl.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`))
      .toEqual(['GET /api/v1/me', 'POST /api/v1/auth/wechat', 'GET /api/v1/me']);
    expect(wxImpl.storage.get(TOKEN_KEY)).not.toBe('not-a-valid-token');
  });

  test('a wrong bind attempt is refused with BIND_NOT_MATCHED and a Chinese toast', async () => {
    const rules = await privacy.rules({}, { auth: false });
    wxImpl.requests.length = 0;
    const err = await guardian.bindChild({
      studentNo: 'NO-SUCH-STUDENT',
      studentName: '查无此人',
      phone: '13900000000',
      consent: { version: rules.version, scopes: ['roster'] },
    }).catch((e) => e);

    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('BIND_NOT_MATCHED');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(wxImpl.toasts).toEqual([expect.objectContaining({ title: err.message, icon: 'none' })]);
    const bindCall = wxImpl.requests.find((r) => r.url.endsWith('/guardians/bind'));
    expect(bindCall.header['Idempotency-Key']).toBeTruthy();
  });

  test('a bind without the 花名册 consent is refused with CONSENT_REQUIRED, whatever else it says', async () => {
    const err = await guardian.bindChild(
      { studentNo: 'NO-SUCH-STUDENT', studentName: '查无此人', phone: '13900000000' },
      { toast: false },
    ).catch((e) => e);

    expect([err.code, err.status]).toEqual(['CONSENT_REQUIRED', 422]);
    expect(err.fields).toEqual({ 'consent.scopes': '须同意花名册与课后服务信息' });
  });

  test('an invalid phone is refused with VALIDATION_ERROR naming the field', async () => {
    const err = await guardian.bindChild(
      { studentNo: '1', studentName: '某某', phone: '12345' },
      { toast: false },
    ).catch((e) => e);

    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.status).toBe(422);
    expect(err.fields).toEqual(expect.objectContaining({ phone: expect.any(String) }));
    expect(wxImpl.toasts).toEqual([]);
  });
});
