/**
 * @jest-environment jsdom
 *
 * End to end: the pickup pages (接送码, 临时接送人, 确认临时接送, 接送放行, 自行回家, 超时未接, 放学看板) rendered with
 * miniprogram-simulate, their requests going over Node's http to the demo server (tests/e2e/backend.js).
 *
 * Each person has a phone of their own (a `wx` over Node's http with its own storage: the token, and on a guardian's
 * or a delegate's phone the registered pickup device), so the guardian's device survives the teacher's scans. A page
 * that polls (接送码) is hidden before another phone is used, as a phone in a pocket would be.
 *
 * The codes the teacher scans are the ones the guardian's page made in JS (utils/pickup-code.js) and drew on its canvas
 * (read back with jsQR): the server verifying them is the cross-check of the two implementations of the scheme.
 *
 * The day: pickup works on today only. On a day without service (a weekend, the holidays) no child is ready: the tests
 * then check what does not need one (codes verify, revoke, the lists match the server) and say so on the console.
 * The demo server sweeps late pickups itself, so late lists grow during the run: they are compared as "what the page
 * shows, the server had".
 */
require('miniprogram-simulate');
const config = require('../../config/index');
const auth = require('../../services/auth');
const pickup = require('../../services/pickup');
const { request, uuid } = require('../../services/request');
const { addDays } = require('../../services/attendance');
const codes = require('../../utils/pickup-code');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, type, pick, text, texts, exists } = require('../helpers/render-page');
const { fakeCanvas, fakeSelectorQuery, readCanvas } = require('../helpers/qr-image');
const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(90000);

const OPENIDS = {
  guardian: 'demo-guardian',
  teacher: 'demo-teacher',
  duty: 'demo-duty',
  guard: 'demo-guard',
  delegate: 'e2e-pickup-delegate',
};
const DELEGATE_PHONE = '13912345678';

/** A phone: wx over Node's http with its own storage, and the screen, canvas, camera and modal APIs the pages use. */
function phone() {
  const w = createNodeWx();
  w.canvas = fakeCanvas();
  Object.assign(w, {
    setKeepScreenOn: jest.fn(),
    getScreenBrightness: jest.fn((o) => setTimeout(() => o.success({ value: 0.5 }), 0)),
    setScreenBrightness: jest.fn(),
    createSelectorQuery: fakeSelectorQuery(w.canvas, 300),
    getWindowInfo: () => ({ pixelRatio: 2 }),
    getDeviceInfo: () => ({ model: 'e2e phone' }),
    navigateTo: jest.fn(),
    redirectTo: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    showModal: jest.fn((o) => setTimeout(() => o.success && o.success({ confirm: true, cancel: false }), 0)),
    makePhoneCall: jest.fn(),
    vibrateShort: jest.fn(),
    scanCode: jest.fn(),
  });
  return w;
}

describeIfBackend('放学接送 against the real backend (demo-server): codes, scan, release, delegates, walk home, late, 清校', () => {
  useDemoBackend('demo-guardian');
  const phones = {};
  const opened = [];
  const ctx = {};

  /** Use `person`'s phone from now on (their requests, their storage, their login). */
  function use(person) {
    global.wx = phones[person];
    config.devOpenid = OPENIDS[person];
    return phones[person];
  }

  async function show(name, query) {
    const page = await openPage(name, query);
    opened.push(page);
    return page;
  }

  /** The guardian's code page shown again (a fresh code, today's statuses), then put away; resolves with the code. */
  async function freshGuardianCode() {
    use('guardian');
    await ctx.codePage.instance.onShow();
    const code = ctx.codePage.instance.code;
    ctx.codePage.instance.onHide();
    return code;
  }

  /** The teacher scans `code` with the 接送放行 page. */
  async function scan(code) {
    const w = use('teacher');
    w.scanCode.mockImplementation((o) => setTimeout(() => o.success({ result: code, scanType: 'QR_CODE' }), 0));
    const page = await show('pickup-scan');
    await page.instance.onScan();
    return page;
  }

  /** A tap on a node with `dataset`, as the handler gets it; resolves once the handler's requests are answered. */
  const tapOn = (page, handler, dataset = {}) => page.instance[handler]({ currentTarget: { dataset }, detail: {} });

  function served() {
    if (!ctx.ready) console.warn(`pickup e2e: no child of demo-guardian is ready today (${new Date().toISOString()}); release steps not checked`);
    return Boolean(ctx.ready);
  }

  beforeAll(async () => {
    Object.keys(OPENIDS).forEach((person) => { phones[person] = phone(); });
    use('guardian');
    ctx.guardian = await auth.me();
    ctx.today = await pickup.today();
    ctx.ready = ctx.today.find((c) => c.status === 'ready') || null;
    ctx.child = ctx.ready || ctx.today[0];
  });

  afterAll(() => {
    opened.forEach((page) => page.instance.onUnload && page.instance.onUnload());
  });

  test('the guardian\'s phone registers once; its code, made in JS and drawn as QR 2-M, is what the server verifies', async () => {
    use('guardian');
    ctx.codePage = await show('pickup-code');
    const page = ctx.codePage;

    const device = codes.loadDevice();
    expect(device).toEqual(expect.objectContaining({ stepSeconds: 30, maxAgeSeconds: 60, prefix: 'KH' }));
    expect(Math.abs(device.offset)).toBeLessThanOrEqual(2); // same machine, same clock
    const code = page.instance.code;
    expect(code).toBe(codes.makeCode({ deviceId: device.deviceId, secret: device.secret, issuedAt: page.instance.issuedAt }));
    expect(readCanvas(phones.guardian.canvas)).toEqual({ data: code, version: 2 });
    expect(texts(page, '.kid__name')).toEqual(ctx.today.map((c) => c.name));
    expect(phones.guardian.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: true });
    page.instance.onHide();
    expect(phones.guardian.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.5 });

    use('teacher');
    const answer = await pickup.verify(code);
    expect(answer.adult).toEqual(expect.objectContaining({ kind: 'guardian', name: ctx.guardian.name }));
    expect(answer.children.map((c) => [c.student_id, c.status])).toEqual(ctx.today.map((c) => [c.student_id, c.status]));
    expect(answer.code_age_seconds).toBeLessThanOrEqual(5);
  });

  test('with no network the page still makes codes (and says the status is not current); the server takes them', async () => {
    use('guardian');
    const online = config.baseUrl;
    config.baseUrl = 'http://127.0.0.1:9/api/v1'; // nothing listens there
    try {
      await ctx.codePage.instance.onShow();
    } finally {
      config.baseUrl = online;
    }
    const page = ctx.codePage;
    expect(exists(page, '#code-card')).toBe(true);
    expect(exists(page, '#offline')).toBe(true);
    expect(exists(page, '#load-error')).toBe(false);
    const code = page.instance.code;
    expect(readCanvas(phones.guardian.canvas).data).toBe(code);
    page.instance.onHide();

    use('teacher');
    await expect(pickup.verify(code)).resolves.toEqual(expect.objectContaining({
      adult: expect.objectContaining({ name: ctx.guardian.name }),
    }));
  });

  test('临时接送: the guardian names a delegate, the delegate accepts with the phone, scans as 临时授权; revoked, not authorised', async () => {
    use('guardian');
    const page = await show('pickup-delegates', { student_id: String(ctx.child.student_id) });
    expect(text(page, '#child-name')).toBe(ctx.child.name);
    page.instance.onAdd();
    await type(page, '#name', '张三');
    await type(page, '#phone', DELEGATE_PHONE);
    await type(page, '#relation', '姑姑');
    await pick(page, '#to', addDays(page.instance.data.today, 3));
    await page.instance.onSubmit();

    expect(exists(page, '#invite')).toBe(true);
    const share = page.instance.onShareAppMessage({ from: 'button' });
    const inviteCode = text(page, '#invite-code');
    expect(share.path).toBe(`/pages/delegate-accept/index?code=${inviteCode}`);
    const listed = await pickup.listDelegates(ctx.child.student_id);
    expect(listed[0]).toEqual(expect.objectContaining({ name: '张三', relation: '姑姑', status: 'invited', phone: DELEGATE_PHONE }));
    const delegateId = listed[0].id;

    // the delegate opens the shared page on their own phone
    use('delegate');
    const accept = await show('delegate-accept', { code: inviteCode });
    await type(accept, '#phone', '13900000000');
    await accept.instance.onAccept();
    expect(text(accept, '#form-error')).toBe('邀请码或手机号不对，请向孩子家长确认');
    await type(accept, '#phone', DELEGATE_PHONE);
    await accept.instance.onAccept();
    expect(phones.delegate.redirectTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/pickup-code/index' }));
    expect((await pickup.myDelegations())[0]).toEqual(expect.objectContaining({ id: delegateId, status: 'accepted' }));

    const delegateCode = await show('pickup-code');
    expect(texts(delegateCode, '.kid__name')).toEqual([ctx.child.name]);
    expect(text(delegateCode, `#kid-${ctx.child.student_id}`)).toContain('临时授权');
    const code = delegateCode.instance.code;
    delegateCode.instance.onHide();

    let scanned = await scan(code);
    expect(text(scanned, '#adult-line')).toBe('临时授权：张三（姑姑），由妈妈授权');
    expect(text(scanned, '#adult-detail')).toContain(`授权人：${listed[0].granted_by}`);
    const before = ctx.ready ? 'ready' : ctx.child.status;
    expect(scanned.instance.data.cards.map((c) => [c.id, c.status])).toEqual([[ctx.child.student_id, before]]);

    // the guardian revokes: the delegate's next code takes no child
    use('guardian');
    await page.instance.onShow();
    await tapOn(page, 'onRevoke', { id: delegateId });
    expect(text(page, `#delegate-${delegateId}`)).toContain('已撤销');

    use('delegate');
    await delegateCode.instance.onShow();
    const after = delegateCode.instance.code;
    delegateCode.instance.onHide();
    scanned = await scan(after);
    if (before === 'ready') {
      expect(scanned.instance.data.cards.map((c) => c.status)).toEqual(['not_authorised']);
      expect(text(scanned, `#kid-${ctx.child.student_id}`)).toContain('临时授权已被家长撤销');
      expect(exists(scanned, '#release-btn')).toBe(true);
      expect(scanned.instance.data.selectedCount).toBe(0);
    }
  });

  test('the teacher scans the guardian\'s code, sees the children, releases the ready one; the guardian\'s page sees it and changes code', async () => {
    const code = await freshGuardianCode();
    const page = await scan(code);

    expect(text(page, '#adult-line')).toBe(`${ctx.guardian.name}（${ctx.guardian.children[0].relation}）`);
    expect(page.instance.data.cards.map((c) => c.id)).toEqual(ctx.today.map((c) => c.student_id));
    if (!served()) return;
    expect(page.instance.data.cards.filter((c) => c.selected).map((c) => c.id)).toEqual([ctx.ready.student_id]);

    await page.instance.onRelease();

    const posted = phones.teacher.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/pickup/handoffs'));
    expect(posted).toHaveLength(1);
    expect(posted[0].status).toBe(200);
    expect(posted[0].header['Idempotency-Key']).toBeTruthy();
    use('guardian');
    const now = (await pickup.today()).find((c) => c.student_id === ctx.ready.student_id);
    expect(now.status).toBe('released');
    expect(text(page, '#done-handed')).toBe(`已交给 ${now.released.adult_name}（${now.released.relation}） ${now.released.released_time}`);
    expect(text(page, '#done-names')).toBe(ctx.ready.name);
    expect(now.released.summary).toContain(now.released.released_by);

    // the guardian's phone sees the release at its next look and changes code at once
    await ctx.codePage.instance.onShow();
    expect(ctx.codePage.instance.code).not.toBe(code);
    expect(phones.guardian.toasts.map((t) => t.title)).toContain('已交接，接送码已更新');
    expect(text(ctx.codePage, `#kid-${ctx.ready.student_id}`)).toContain(now.released.summary);
    ctx.codePage.instance.onHide();

    // the old code again: the child shows as gone, with who took them; nothing to tick
    const again = await scan(code);
    const card = again.instance.data.cards.find((c) => c.id === ctx.ready.student_id);
    expect(card).toEqual(expect.objectContaining({ status: 'released', ready: false, detail: now.released.summary }));
  });

  test('手机丢了: every phone\'s codes stop (the old code is PICKUP_CODE_REVOKED); this phone gets a new device that works', async () => {
    const old = await freshGuardianCode();
    const oldDevice = codes.loadDevice();
    use('guardian');
    await ctx.codePage.instance.onShow();
    await ctx.codePage.instance.onLostPhone();
    const device = codes.loadDevice();
    expect(device.deviceId).not.toBe(oldDevice.deviceId);
    const fresh = ctx.codePage.instance.code;
    ctx.codePage.instance.onHide();
    const devices = await pickup.listDevices();
    expect(devices.find((d) => d.id === oldDevice.deviceId).revoked_at).toBeTruthy();
    expect(devices.find((d) => d.id === device.deviceId).revoked_at).toBeNull();

    use('teacher');
    await expect(pickup.verify(old, { toast: false })).rejects.toMatchObject({ code: 'PICKUP_CODE_REVOKED' });
    const scanned = await scan(old);
    expect(text(scanned, '#scan-error')).toBe('这台手机的接送码已停用，请家长在新手机上重新打开接送码');
    await expect(pickup.verify(fresh)).resolves.toEqual(expect.objectContaining({ adult: expect.objectContaining({ name: ctx.guardian.name }) }));
  });

  test('人工核对: the teacher finds a child still here, picks the adult, writes how → a manual release the duty leader sees', async () => {
    use('duty');
    const board = await pickup.board();
    const mine = new Set(ctx.today.map((c) => c.student_id));
    const waiting = board.not_released.filter((c) => !mine.has(c.student_id));
    if (waiting.length < 2) {
      console.warn('pickup e2e: fewer than two children still at school; manual release not checked');
      return;
    }
    const [target, other] = waiting;

    use('teacher');
    const page = await show('pickup-scan');
    await page.instance.onManual();
    await type(page, '#search-input', target.name);
    await page.instance.onSearch();
    expect(text(page, `#result-${target.student_id}`)).toContain(target.class_name);
    await tapOn(page, 'onPickStudent', { id: target.student_id });
    expect(text(page, '#manual-child')).toContain(target.name);
    const adults = await pickup.childAdults(target.student_id);
    const adult = adults.adults.find((a) => a.allowed);
    const key = adult.kind === 'delegate' ? `d${adult.delegate_id}` : `g${adult.guardian_id}`;
    tapOn(page, 'onPickAdult', { key });
    await type(page, '#note', '核对了身份证，家长未带手机');
    await page.instance.onManualRelease();
    expect(text(page, '#done-handed')).toContain(`已交给 ${pickup.personText(adult.name, adult.relation)}`);

    use('duty');
    const manual = await request({ url: '/pickup/handoffs', data: { method: 'manual' } });
    expect(manual.items.find((r) => r.student_id === target.student_id))
      .toEqual(expect.objectContaining({ method: 'manual', note: '核对了身份证，家长未带手机', adult_name: adult.name }));

    // the same release sent twice under one key gets the first answer; under a new key it is refused
    use('teacher');
    const otherAdult = (await pickup.childAdults(other.student_id)).adults.find((a) => a.allowed);
    const body = { studentId: other.student_id, adult: otherAdult, note: '家长出示户口本' };
    const sameKey = uuid();
    const first = await pickup.releaseManually(body, { idempotencyKey: sameKey });
    const replayed = await pickup.releaseManually(body, { idempotencyKey: sameKey });
    expect(replayed).toEqual(first);
    await expect(pickup.releaseManually(body, { toast: false })).rejects.toMatchObject({
      code: 'PICKUP_REFUSED', errors: [expect.objectContaining({ student_id: other.student_id, code: 'CHILD_ALREADY_RELEASED' })],
    });
  });

  test('自行回家: the list is the server\'s; a child whose time has come is let go (or one too early is refused)', async () => {
    use('teacher');
    const page = await show('pickup-walk-home');
    const list = await pickup.walkHome();
    expect(page.instance.data.rows.map((r) => r.id)).toEqual(list.map((c) => c.student_id));
    const free = list.find((c) => c.may_leave_now && !c.released);
    const early = list.find((c) => !c.may_leave_now && !c.released);
    if (free) {
      tapOn(page, 'onToggle', { id: free.student_id });
      await page.instance.onRelease();
      const now = (await pickup.walkHome()).find((c) => c.student_id === free.student_id);
      expect(now.released).toEqual(expect.objectContaining({ method: 'walk_home' }));
      expect(text(page, `#kid-${free.student_id}`)).toContain(now.released.summary);
    } else if (early) {
      await expect(pickup.releaseWalkingHome([early.student_id], {}, { toast: false })).rejects.toMatchObject({
        code: 'PICKUP_REFUSED', errors: [expect.objectContaining({ code: 'WALK_HOME_TOO_EARLY' })],
      });
    } else {
      console.warn('pickup e2e: no child going home alone today');
    }
  });

  test('超时未接: the guard\'s list is the children with the guard, with the guardians to call', async () => {
    use('guard');
    const page = await show('pickup-late');
    const server = await pickup.lateChildren({ stage: 'with_guard' });
    const ids = new Set(server.map((c) => c.student_id));
    const shown = page.instance.data.rows;
    expect(shown.every((r) => ids.has(r.id))).toBe(true);
    expect(exists(page, '#stages')).toBe(false);
    if (!shown.length) {
      expect(exists(page, '#no-late')).toBe(true);
      return;
    }
    const first = server.find((c) => c.student_id === shown[0].id);
    expect(text(page, `#late-${first.student_id}`)).toContain(first.name);
    const callable = first.guardians.findIndex((g) => g.phone);
    if (callable >= 0) {
      tapOn(page, 'onCall', { phone: first.guardians[callable].phone });
      expect(phones.guard.makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: first.guardians[callable].phone }));
    }
    page.instance.onScan();
    expect(phones.guard.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/pickup-scan/index?scan=1' });
  });

  test('放学看板 and 清校: the totals are the server\'s; 清校 with children still here lists them (or records the clearance)', async () => {
    use('duty');
    const page = await show('pickup-board');
    const board = await pickup.board();
    expect(text(page, '#total-remaining')).toBe(String(board.remaining));
    expect(text(page, '#total-released')).toBe(String(board.released));
    expect(text(page, '#total-in-care')).toContain(`${board.in_care} 人`);
    expect(page.instance.data.byGrade.map((g) => [g.name, g.inCare, g.released]))
      .toEqual(board.by_grade.map((g) => [g.name, g.in_care, g.released]));
    expect(texts(page, '.here__name').length).toBe(board.not_released.length);

    await page.instance.onClear();
    if (board.remaining > 0) {
      expect(text(page, '#not-clear')).toContain(`还有 ${board.remaining} 名学生未接走，不能清校`);
      expect(texts(page, '.not-clear__child')).toHaveLength(board.remaining);
      expect(await request({ url: '/pickup/clearance' })).toBeNull();
    } else {
      const cleared = await request({ url: '/pickup/clearance' });
      expect(text(page, '#cleared')).toContain(cleared.cleared_by);
    }
  });
});
