const { setUpFakeBackend } = require('../helpers/fake-wx');
const { addUpload, chooseImages } = require('../helpers/fake-upload');
const { renderPage, text, exists } = require('../helpers/render-page');
const { readCanvas } = require('../helpers/qr-image');
const {
  SECRET, NOW_MS, registration, released, todayChild, addPhoneApis, GUARDIAN_ME,
} = require('../helpers/pickup-fixtures');
const codes = require('../../utils/pickup-code');

let fake;
let canvas;
let pages;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: NOW_MS });
  fake = setUpFakeBackend();
  canvas = addPhoneApis(fake.wx);
  pages = [];
});

afterEach(() => {
  pages.forEach((page) => page.instance.onUnload());
  jest.useRealTimers();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const codeAt = (issuedAt, deviceId = 12) => codes.makeCode({ deviceId, secret: SECRET, issuedAt });

/** The usual server: registration, this phone among the account's devices, today's children. */
function routes({ devices = [{ id: 12, label: 'iPhone 15', created_at: '2026-11-20T01:00:00Z', revoked_at: null }], today = [todayChild()] } = {}) {
  fake.route('POST', '/pickup/devices', () => ({ status: 201, body: registration({ nowMs: Date.now() }) }));
  fake.route('GET', '/pickup/devices', { status: 200, body: devices });
  fake.route('GET', '/pickup/today', typeof today === 'function' ? today : { status: 200, body: today });
}

/** A phone registered before (device 12, in sync with the server). */
function registeredBefore(offset = 0) {
  codes.saveDevice({ deviceId: 12, secret: SECRET, offset, stepSeconds: 30, maxAgeSeconds: 60, prefix: 'KH' });
}

/** Open the page as WeChat does, letting fake time run for the fake server's answers. */
async function open() {
  const page = renderPage('pickup-code');
  pages.push(page);
  page.instance.onLoad({});
  const shown = page.instance.onShow();
  await jest.advanceTimersByTimeAsync(50);
  await shown;
  return page;
}

test('the first time: registers this phone, keeps its device, and shows a code that reads back as itself', async () => {
  routes();
  const page = await open();

  const posted = fake.sent('POST', '/pickup/devices');
  expect(posted).toHaveLength(1);
  expect(posted[0].data).toEqual({ label: 'iPhone 15' });
  expect(codes.loadDevice()).toEqual({ deviceId: 12, secret: SECRET, offset: 0, stepSeconds: 30, maxAgeSeconds: 60, prefix: 'KH' });
  expect(page.instance.code).toBe(codeAt(nowSeconds()));
  expect(readCanvas(canvas)).toEqual({ data: page.instance.code, version: 2 });
  expect(exists(page, '#code-card')).toBe(true);
  expect(text(page, '#seconds-left')).toBe('30');
});

test('the clock offset measured at registration corrects every code (phone 5 minutes slow)', async () => {
  routes();
  fake.route('POST', '/pickup/devices', () => ({ status: 201, body: registration({ nowMs: Date.now(), serverAheadS: 300 }) }));
  const page = await open();

  expect(codes.loadDevice().offset).toBe(300);
  expect(page.instance.code).toBe(codeAt(nowSeconds() + 300));
});

test('keeps the screen on at full brightness while shown, and gives both back on leaving', async () => {
  routes();
  registeredBefore();
  const page = await open();

  expect(fake.wx.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: true });
  expect(fake.wx.setScreenBrightness).toHaveBeenLastCalledWith({ value: 1 });

  page.instance.onHide();
  expect(fake.wx.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: false });
  expect(fake.wx.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.4 });

  // shown again: bright again; unloaded: restored again
  page.instance.onShow();
  await jest.advanceTimersByTimeAsync(50);
  expect(fake.wx.setScreenBrightness).toHaveBeenLastCalledWith({ value: 1 });
  page.instance.onUnload();
  expect(fake.wx.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: false });
  expect(fake.wx.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.4 });
});

test('a new code every 30 s, counting down each second; the canvas shows the new one', async () => {
  routes();
  registeredBefore();
  const page = await open();
  const first = page.instance.code;
  const start = nowSeconds();

  await jest.advanceTimersByTimeAsync(10000);
  expect(text(page, '#seconds-left')).toBe('20');
  expect(page.instance.code).toBe(first);
  expect(page.instance.data.progress).toBe(67);

  await jest.advanceTimersByTimeAsync(20000);
  expect(page.instance.code).not.toBe(first);
  expect(page.instance.code).toBe(codeAt(start + 30));
  expect(text(page, '#seconds-left')).toBe('30');
  expect(readCanvas(canvas)).toEqual({ data: page.instance.code, version: 2 });

  await jest.advanceTimersByTimeAsync(30000);
  expect(page.instance.code).toBe(codeAt(start + 60));
});

test('works offline once registered: no network at all, the code still shows and rotates; status says offline', async () => {
  registeredBefore();
  fake.route('GET', '/pickup/devices', { network: true });
  fake.route('GET', '/pickup/today', { network: true });
  fake.route('POST', '/pickup/devices', { network: true });
  const page = await open();

  expect(exists(page, '#load-error')).toBe(false);
  expect(page.instance.code).toBe(codeAt(nowSeconds()));
  expect(readCanvas(canvas)).toEqual({ data: page.instance.code, version: 2 });
  expect(exists(page, '#offline')).toBe(true);
  expect(fake.sent('POST', '/pickup/devices')).toHaveLength(0);
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  const first = page.instance.code;
  await jest.advanceTimersByTimeAsync(30000);
  expect(page.instance.code).not.toBe(first);
  expect(readCanvas(canvas).data).toBe(page.instance.code);
});

test('today: each child\'s status, place and end time, the release summary, a delegation, the guard', async () => {
  routes({
    today: [
      todayChild(),
      todayChild({ student_id: 9, name: '张小红', class_name: '一年级1班', status: 'released', status_label: '已接走', released: released({ student_id: 9 }) }),
      todayChild({ student_id: 11, name: '王小刚', via: 'delegate', late: 'with_guard', place: '门卫室' }),
      todayChild({ student_id: 12, name: '李小华', status: 'on_leave', status_label: '今天请假', reason: '今天请假' }),
    ],
  });
  registeredBefore();
  const page = await open();

  expect(fake.sent('GET', '/pickup/today')).toHaveLength(1);
  expect(text(page, '#kid-7')).toContain('可以接走');
  expect(text(page, '#kid-7')).toContain('三年级看护1班 · 17:20 放学');
  expect(text(page, '#kid-7')).toContain('示范小学 · 三年级2班');
  expect(text(page, '#kid-9')).toContain('已由 妈妈（李娜） 17:23 接走，王老师确认');
  expect(text(page, '#kid-11')).toContain('临时授权');
  expect(text(page, '#kid-11')).toContain('门卫看护中');
  expect(page.querySelector('#kid-11').dom.className).toContain('kid--late');
  expect(text(page, '#kid-12')).toContain('今天请假');
  expect(exists(page, '#offline')).toBe(false);
});

test('polls today every 10 s; a release seen makes a new code at once (the used one never works again)', async () => {
  let status = 'ready';
  routes({
    today: () => ({
      status: 200,
      body: [status === 'ready' ? todayChild() : todayChild({ status: 'released', status_label: '已接走', released: released() })],
    }),
  });
  registeredBefore();
  const page = await open();
  const first = page.instance.code;

  await jest.advanceTimersByTimeAsync(10000);
  expect(fake.sent('GET', '/pickup/today')).toHaveLength(2);
  expect(page.instance.code).toBe(first);

  // the teacher releases the child with this code at second 12
  await jest.advanceTimersByTimeAsync(2000);
  status = 'released';
  await jest.advanceTimersByTimeAsync(8000);

  expect(fake.sent('GET', '/pickup/today')).toHaveLength(3);
  expect(page.instance.code).not.toBe(first);
  expect(text(page, '#seconds-left')).toBe('30');
  expect(readCanvas(canvas).data).toBe(page.instance.code);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已交接，接送码已更新' }));
  expect(text(page, '#kid-7')).toContain('已接走');

  // seen once is enough: the next poll changes nothing
  const second = page.instance.code;
  await jest.advanceTimersByTimeAsync(10000);
  expect(page.instance.code).toBe(second);
});

test('a release in the same second as the code still gets a different code', async () => {
  routes();
  registeredBefore();
  const page = await open();
  const first = page.instance.code;

  page.instance.showCode();

  expect(page.instance.code).not.toBe(first);
  expect(page.instance.code).toBe(codeAt(nowSeconds() + 1));
});

test('failures of today are quiet, and nothing is asked once the page is hidden', async () => {
  routes({ today: () => ({ status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了' } } }) });
  registeredBefore();
  const page = await open();

  expect(exists(page, '#offline')).toBe(true);
  expect(fake.wx.showToast).not.toHaveBeenCalled();
  expect(exists(page, '#code-card')).toBe(true);

  page.instance.onHide();
  const asked = fake.calls.length;
  await jest.advanceTimersByTimeAsync(120000);
  expect(fake.calls).toHaveLength(asked);
});

test('a phone stopped from another phone: the code is hidden, 重新启用 registers it again', async () => {
  routes({ devices: [{ id: 13, label: '新手机', created_at: '2026-11-24T01:00:00Z', revoked_at: null },
    { id: 12, label: 'iPhone 15', created_at: '2026-11-20T01:00:00Z', revoked_at: '2026-11-24T01:00:00Z' }] });
  registeredBefore();
  const page = await open();

  expect(exists(page, '#stopped')).toBe(true);
  expect(exists(page, '#code-card')).toBe(false);
  const ticks = page.instance.tickTimer;
  expect(ticks).toBeNull();

  fake.route('POST', '/pickup/devices', () => ({ status: 201, body: registration({ deviceId: 14, nowMs: Date.now() }) }));
  const reactivating = page.instance.onReactivate();
  await jest.advanceTimersByTimeAsync(50);
  await reactivating;

  expect(fake.sent('POST', '/pickup/devices')).toHaveLength(1);
  expect(codes.loadDevice().deviceId).toBe(14);
  expect(exists(page, '#code-card')).toBe(true);
  expect(page.instance.code).toBe(codeAt(nowSeconds(), 14));
});

test('a device the account does not have (kept from another login) is forgotten and this phone registered', async () => {
  routes({ devices: [] });
  codes.saveDevice({ deviceId: 99, secret: SECRET, offset: 0, stepSeconds: 30, maxAgeSeconds: 60, prefix: 'KH' });
  const page = await open();
  await jest.advanceTimersByTimeAsync(50);

  expect(fake.sent('POST', '/pickup/devices')).toHaveLength(1);
  expect(codes.loadDevice().deviceId).toBe(12);
  expect(page.instance.code).toBe(codeAt(nowSeconds(), 12));
});

test('手机丢了: after a confirm, every phone is stopped (DELETE) and this one registered again; cancel does nothing', async () => {
  routes();
  fake.route('DELETE', '/pickup/devices', { status: 204 });
  registeredBefore();
  const page = await open();

  fake.answerModal(false);
  let tapped = page.instance.onLostPhone();
  await jest.advanceTimersByTimeAsync(50);
  await tapped;
  expect(fake.mutations()).toHaveLength(0);

  fake.route('POST', '/pickup/devices', () => ({ status: 201, body: registration({ deviceId: 15, nowMs: Date.now() }) }));
  fake.answerModal(true);
  tapped = page.instance.onLostPhone();
  await jest.advanceTimersByTimeAsync(50);
  await tapped;

  expect(fake.mutations().map((c) => `${c.method} ${c.path}`)).toEqual(['DELETE /pickup/devices', 'POST /pickup/devices']);
  expect(fake.sent('DELETE', '/pickup/devices')[0].header['Idempotency-Key']).toBeTruthy();
  expect(codes.loadDevice().deviceId).toBe(15);
  expect(page.instance.code).toBe(codeAt(nowSeconds(), 15));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '旧手机的接送码已停用' }));
  expect(page.instance.data.busy).toBe(false);
});

test('手机丢了 with no network: said, and this phone keeps its code', async () => {
  routes();
  fake.route('DELETE', '/pickup/devices', { network: true });
  registeredBefore();
  const page = await open();
  fake.answerModal(true);

  const tapped = page.instance.onLostPhone();
  await jest.advanceTimersByTimeAsync(2000);
  await tapped;

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有停用：网络不给力，请稍后再试' }));
  expect(codes.loadDevice().deviceId).toBe(12);
  expect(exists(page, '#code-card')).toBe(true);
});

test('the first time with no network: says it needs the network once; 重试 registers', async () => {
  routes();
  fake.route('POST', '/pickup/devices', { network: true });
  const page = await open();

  expect(text(page, '#load-error')).toContain('第一次使用接送码需要联网');
  expect(codes.loadDevice()).toBeNull();
  // not retried: registering twice would leave the first phone's device revoked for nothing
  expect(fake.sent('POST', '/pickup/devices')).toHaveLength(1);

  fake.route('POST', '/pickup/devices', () => ({ status: 201, body: registration({ nowMs: Date.now() }) }));
  const retry = page.instance.onRetry();
  await jest.advanceTimersByTimeAsync(50);
  await retry;
  expect(exists(page, '#code-card')).toBe(true);
  expect(page.instance.code).toBe(codeAt(nowSeconds()));
});

// ---------- 我的照片 ----------

describe('我的照片 (guardians)', () => {
  const PHOTO_URL = '/api/v1/guardians/21/photo/b.jpg?exp=1&sig=y';

  /** A guardian's phone, registered, with uploads; `file` is what wx.chooseMedia answers (null: cancelled). */
  async function guardianPage(file = { tempFilePath: 'wxfile://tmp/me.jpg', size: 80 * 1024 }) {
    routes();
    fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
    registeredBefore();
    addUpload(fake);
    chooseImages(fake, file);
    return open();
  }

  /** Run a handler that waits on the fake (picker, upload) with fake time moving. */
  async function run(promise) {
    await jest.advanceTimersByTimeAsync(50);
    return promise;
  }

  test('上传我的照片: chosen, sent by wx.uploadFile as `file` with the login token, shown, kept for next time', async () => {
    const page = await guardianPage();
    fake.route('POST', '/pickup/my-photo', { status: 200, body: { photo_url: PHOTO_URL } });
    expect(text(page, '#photo-none')).toBe('无照片');
    expect(exists(page, '#delete-photo')).toBe(false);

    await run(page.instance.onUploadPhoto());

    expect(fake.wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ count: 1, mediaType: ['image'] }));
    const sent = fake.sent('POST', '/pickup/my-photo');
    expect(sent).toHaveLength(1);
    expect(sent[0].data.upload).toEqual(expect.objectContaining({ name: 'file', filePath: 'wxfile://tmp/me.jpg' }));
    expect(sent[0].header.Authorization).toBe('Bearer stored-token');
    expect(page.instance.data.photo).toBe(`http://api.test${PHOTO_URL}`);
    expect(exists(page, '#photo-img')).toBe(true);
    expect(text(page, '#upload-photo')).toBe('更换照片');
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '照片已上传' }));

    // another showing of the page (the server gives no way to read it back): the kept link
    const again = await open();
    expect(again.instance.data.photo).toBe(`http://api.test${PHOTO_URL}`);
    // an expired link: 已上传, without the picture
    again.instance.onPhotoError();
    expect(text(again, '#photo-kept')).toBe('已上传');
  });

  test('cancelled: nothing sent; too large: refused before uploading; a refusal said under the photo', async () => {
    let page = await guardianPage(null);
    await run(page.instance.onUploadPhoto());
    expect(fake.sent('POST', '/pickup/my-photo')).toHaveLength(0);

    page = await guardianPage({ tempFilePath: 'wxfile://tmp/big.jpg', size: 5 * 1024 * 1024 });
    await run(page.instance.onUploadPhoto());
    expect(text(page, '#photo-error')).toBe('图片不能超过 2 MB，请换一张或裁剪后再传');
    expect(fake.sent('POST', '/pickup/my-photo')).toHaveLength(0);

    page = await guardianPage();
    fake.route('POST', '/pickup/my-photo', { status: 415, body: { error: { code: 'PHOTO_NOT_IMAGE', message: '请上传 JPG 或 PNG 照片' } } });
    await run(page.instance.onUploadPhoto());
    expect(text(page, '#photo-error')).toBe('照片没有上传：请上传 JPG 或 PNG 照片');
    expect(exists(page, '#photo-img')).toBe(false);
  });

  test('no photo consent: the server\'s refusal said, and the way to 我的 → 隐私与授权 offered', async () => {
    const page = await guardianPage();
    fake.route('POST', '/pickup/my-photo', { status: 403, body: { error: {
      code: 'PHOTO_CONSENT_REQUIRED', message: '上传照片前，请先在「我的 → 隐私与授权」中同意使用照片' } } });

    await run(page.instance.onUploadPhoto());

    expect(text(page, '#photo-error')).toBe('照片没有上传：上传照片前，请先在「我的 → 隐私与授权」中同意使用照片');
    page.instance.onGoConsent();
    expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/mine/index' });
    expect(exists(page, '#photo-consent')).toBe(true);
  });

  test('the privacy guide first: refused → the album never opens; agreed → it does', async () => {
    const { addPrivacyApis } = require('../helpers/fake-privacy');
    const page = await guardianPage();
    fake.route('POST', '/pickup/my-photo', { status: 200, body: { photo_url: PHOTO_URL } });
    const privacy = addPrivacyApis(fake);

    let pending = page.instance.onUploadPhoto();
    await jest.advanceTimersByTimeAsync(50);
    expect(page.instance.selectComponent('#privacy').data.show).toBe(true);
    page.instance.selectComponent('#privacy').onDisagree();
    await run(pending);
    expect(fake.wx.chooseMedia).not.toHaveBeenCalled();
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '需要同意《用户隐私保护指引》后才能使用此功能' }));

    pending = page.instance.onUploadPhoto();
    await jest.advanceTimersByTimeAsync(50);
    page.instance.selectComponent('#privacy').onAgree();
    await run(pending);
    expect(privacy.resolved.pop()).toEqual({ buttonId: 'agree-privacy-btn', event: 'agree' });
    expect(fake.wx.chooseMedia).toHaveBeenCalledTimes(1);
    expect(fake.sent('POST', '/pickup/my-photo')).toHaveLength(1);
  });

  test('删除照片 after a confirm (cancel: nothing): DELETE, gone here too', async () => {
    fake.storage.set('kehou.myPhoto', PHOTO_URL);
    const page = await guardianPage();
    fake.route('DELETE', '/pickup/my-photo', { status: 204 });
    expect(exists(page, '#photo-img')).toBe(true);

    fake.answerModal(false);
    await run(page.instance.onDeletePhoto());
    expect(fake.sent('DELETE', '/pickup/my-photo')).toHaveLength(0);

    fake.answerModal(true);
    await run(page.instance.onDeletePhoto());
    const sent = fake.sent('DELETE', '/pickup/my-photo');
    expect(sent).toHaveLength(1);
    expect(sent[0].header['Idempotency-Key']).toBeTruthy();
    expect(text(page, '#photo-none')).toBe('无照片');
    expect(fake.storage.has('kehou.myPhoto')).toBe(false);
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '照片已删除' }));
  });

  test('a delegate (not a guardian), or no answer from GET /me: no photo section, the code as always', async () => {
    routes();
    registeredBefore();
    fake.route('GET', '/me', { status: 200, body: { account_id: 30, name: '张三', roles: [], schools: [], children: [] } });
    let page = await open();
    expect(exists(page, '#my-photo')).toBe(false);
    expect(exists(page, '#code-card')).toBe(true);

    routes();
    fake.route('GET', '/me', { network: true });
    page = await open();
    expect(exists(page, '#my-photo')).toBe(false);
    expect(exists(page, '#code-card')).toBe(true);
    expect(fake.wx.showToast).not.toHaveBeenCalled();
  });
});
