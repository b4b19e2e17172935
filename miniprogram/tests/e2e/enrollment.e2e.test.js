/**
 * End to end: the enrollment pages' own code (pages/plan, application, apply, review, approval and
 * services/enrollment.js over the real request.js) against the real backend with the demo school
 * (tests/e2e/backend.js). Pages are not rendered here (tests/e2e/plain-page.js): each page's Page()
 * options get a plain `this` with data and setData, and the tests call its handlers as taps would.
 *
 * One story, in order (the tests share the server's state):
 *   the demo guardian reads the plan, sees both children's applications, signs the older child's
 *   agreement, withdraws the younger child and applies again (self pickup needs a statement) and signs;
 *   the class head of 一年级1班 finds that application pending and approves it; the admin sees the
 *   figures and approves it in a batch; the guardian then sees the child in care.
 */
const config = require('../../config/index');
const enrollment = require('../../services/enrollment');
const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');
const { createPage, openPage, event } = require('./plain-page');

let wxImpl;

/** Act as one of the demo logins from now on (fresh storage: no token, so the next call logs in). */
function actAs(openid) {
  config.devOpenid = openid;
  wxImpl = createNodeWx();
  Object.assign(wxImpl, {
    showModal: jest.fn((options) => options.success({ confirm: true, cancel: false })),
    navigateTo: jest.fn(),
    navigateBack: jest.fn(),
    redirectTo: jest.fn(),
    reLaunch: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    stopPullDownRefresh: jest.fn(),
  });
  global.wx = wxImpl;
}

describeIfBackend('enrollment pages against the real backend (demo-server)', () => {
  useDemoBackend('demo-guardian');
  let younger; // 一年级1班: approved and signed in the demo
  let older; // 四年级1班: submitted, not signed in the demo
  let termId;

  const openApplication = (child) => openPage('application', { student_id: String(child.id) });

  test('the guardian reads the published plan of the child\'s school', async () => {
    actAs('demo-guardian');
    const profile = await require('../../services/auth').me();
    younger = profile.children.find((c) => c.class_name === '一年级1班');
    older = profile.children.find((c) => c.class_name === '四年级1班');
    expect(younger).toBeTruthy();
    expect(older).toBeTruthy();

    const page = await openPage('plan', { student_id: String(younger.id) });

    expect(page.data.errorMessage).toBe('');
    expect(page.data.termName).toMatch(/学年第[一二]学期$/);
    expect(page.data.plan).toEqual(expect.objectContaining({
      version: 1,
      weekdaysText: '周一至周五',
      feeText: '每学期 300 元',
      agreementTitle: '示范小学课后服务协议书',
    }));
    expect(page.data.plan.times.map((t) => t.time)).toEqual(['17:00', '17:20', '17:30']);
    expect(page.data.plan.agreementText).toContain('家长责任');
    expect(wxImpl.toasts).toEqual([]);
  });

  test('the guardian sees each child\'s application, its 审核记录 and what can be done', async () => {
    const first = await openApplication(younger);
    termId = first.termId;
    expect(first.data.errorMessage).toBe('');
    expect(first.data.status).toBe('approved');
    expect(first.data.statusLabel).toBe('已通过');
    expect(first.data.notice).toContain('孩子在本学期课后服务名单中');
    expect(first.data.history.map((h) => h.title)).toEqual(['提交申请', '班主任审核通过', '教导处审定通过']);
    expect(first.data.actions).toEqual(expect.objectContaining({
      withdraw: true, withdrawLabel: '退出课后服务', sign: false, apply: false, decline: false,
    }));

    // the older child's state comes from the demo's random families; whatever it is, the page offers what it allows
    const second = await openApplication(older);
    expect(second.data.errorMessage).toBe('');
    expect(Object.values(enrollment.STATUS_LABELS)).toContain(second.data.statusLabel);
    const allowed = {
      none: ['apply', 'decline'],
      submitted: ['edit', 'withdraw', 'decline'],
      class_approved: ['withdraw', 'decline'],
      approved: ['withdraw'],
      rejected: ['resubmit', 'withdraw', 'decline'],
      withdrawn: ['apply', 'decline'],
      declined: ['apply'],
    }[second.data.status];
    ['apply', 'edit', 'resubmit', 'withdraw', 'decline'].forEach((action) => {
      expect([action, second.data.actions[action]]).toEqual([action, allowed.indexOf(action) >= 0]);
    });
  });

  test('the older child: apply if need be, then signing waits until the agreement is read to the end', async () => {
    const before = await openApplication(older);
    const page = createPage('apply');
    if (before.data.actions.apply) {
      await page.onLoad({ student_id: String(older.id), term_id: String(termId) });
      expect(page.data.errorMessage).toBe('');
      await page.onSubmit(); // the defaults: every service day, picked up by a guardian
      expect(page.data.formError).toBe('');
    } else if (before.data.actions.sign) {
      await page.onLoad({ student_id: String(older.id), term_id: String(termId), step: 'sign' });
    } else {
      await before.onWithdraw();
      await page.onLoad({ student_id: String(older.id), term_id: String(termId) });
      await page.onSubmit();
    }
    expect(page.data.errorMessage).toBe('');
    expect(page.data.step).toBe('agreement');
    expect(page.data.planVersion).toBe(1);
    expect(page.data.agreementTitle).toBe('示范小学课后服务协议书');

    const signs = () => wxImpl.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/sign'));
    await page.onSign();
    expect(signs()).toHaveLength(0);

    page.onAgreementEnd();
    await page.onSign();
    expect(signs()).toHaveLength(1);
    expect(signs()[0].header['Idempotency-Key']).toBeTruthy();
    expect(wxImpl.navigateBack).toHaveBeenCalledTimes(1);

    const after = await openApplication(older);
    expect(after.data.app.signatureText).toMatch(/^已签署第 1 版/);
    expect(after.data.actions.sign).toBe(false);
    expect(after.data.history.map((h) => h.title)).toContain('签署协议');
  });

  test('withdraw, then apply again: self pickup needs the written statement; then sign', async () => {
    const toastsBefore = wxImpl.toasts.length;
    const app = await openApplication(younger);
    await app.onWithdraw();
    expect(wxImpl.showModal).toHaveBeenCalledTimes(1);
    expect(app.data.status).toBe('withdrawn');
    expect(app.data.notice).toMatch(/^已退出，自 \d{4}-\d{2}-\d{2} 起不再参加课后服务。$/);
    expect(app.data.actions).toEqual(expect.objectContaining({ apply: true, applyLabel: '重新申请' }));

    const form = await openPage('apply', { student_id: String(younger.id), term_id: String(termId) });
    expect(form.data.mode).toBe('apply');
    expect(form.data.dayOptions.map((o) => o.day)).toEqual([1, 2, 3, 4, 5]);

    const applies = () => wxImpl.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/applications')).length;
    const appliedBefore = applies();
    form.onToggleDay(event({ day: 5 }));
    form.onPickup(event({ value: 'self' }));
    await form.onSubmit();
    expect(form.data.selfStatementError).toBe('孩子自行回家，须由家长填写书面情况说明');
    expect(applies()).toBe(appliedBefore);

    form.onInput(event({ field: 'selfStatement' }, { value: '家住学校对面小区，步行五分钟。' }));
    form.onTogglePriority(event({ key: 'dual_working' }));
    await form.onSubmit();
    expect(form.data.formError).toBe('');
    expect(form.data.step).toBe('agreement');

    form.onAgreementEnd();
    await form.onSign();

    const again = await openApplication(younger);
    expect(again.data.statusLabel).toBe('待班主任审核');
    expect(again.data.app.weekdaysText).toBe('周一至周四');
    expect(again.data.app.pickupText).toBe('自行回家');
    expect(again.data.app.selfStatement).toBe('家住学校对面小区，步行五分钟。');
    expect(again.data.app.priorityText).toBe('双职工家庭');
    expect(again.data.app.signatureText).toMatch(/^已签署第 1 版/);
    expect(again.data.history.map((h) => h.title).slice(-3)).toEqual(['退出', '提交申请', '签署协议']);
    // no error toasts on the way (success toasts go through wx.showToast too)
    expect(wxImpl.toasts.slice(toastsBefore).filter((t) => t.icon === 'none')).toEqual([]);
  });

  test('the class head of 一年级1班 finds it pending and approves it; batch approval is not theirs', async () => {
    actAs('demo-classhead');
    const page = await openPage('review');

    expect(page.data.errorMessage).toBe('');
    expect(page.data.items.length).toBeGreaterThanOrEqual(1);
    page.data.items.forEach((item) => expect(item.className).toBe('一年级1班'));
    const item = page.data.items.find((i) => i.studentName === younger.name);
    expect(item).toEqual(expect.objectContaining({
      pickupText: '自行回家', selfStatement: '家住学校对面小区，步行五分钟。', signed: true,
      priorities: expect.arrayContaining(['双职工家庭']),
    }));

    // a return needs a reason, checked before anything is sent
    page.onRejectOpen(event({ id: item.id }));
    await page.onRejectConfirm();
    expect(page.data.rejectError).toBe('退回须填写原因，家长会看到');
    page.onRejectCancel();

    await page.onApprove(event({ id: item.id }));
    expect(page.data.items.find((i) => i.id === item.id)).toBeUndefined();

    const refused = await enrollment.bulkApprove(page.termId, [item.id], null, { toast: false }).catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/[\u4e00-\u9fa5]/);
  });

  test('the admin sees the figures and approves it in a batch; the guardian then sees the child in care', async () => {
    actAs('demo-admin');
    const page = await openPage('approval');

    expect(page.data.errorMessage).toBe('');
    expect(page.data.summary.eligible).toBeGreaterThan(900);
    expect(page.data.summary.approved).toBeGreaterThan(0);
    expect(page.data.summary.rate).toMatch(/%$/);
    const item = page.data.items.find((i) => i.studentName === younger.name);
    expect(item).toEqual(expect.objectContaining({ statusLabel: '待教导处审定', decidable: true }));

    page.onToggle(event({ id: item.id }));
    expect(page.data.selectedCount).toBe(1);
    const approvedBefore = page.data.summary.approved;
    await page.onBulkApprove();
    expect(page.data.bulkResult).toEqual(expect.objectContaining({ ok: 1, failedCount: 0 }));
    expect(page.data.items.find((i) => i.id === item.id)).toBeUndefined();
    expect(page.data.summary.approved).toBe(approvedBefore + 1);

    actAs('demo-guardian');
    const app = await openApplication(younger);
    expect(app.data.statusLabel).toBe('已通过');
    expect(app.data.notice).toContain('孩子在本学期课后服务名单中');
    expect(app.data.history.map((h) => h.title).slice(-2)).toEqual(['班主任审核通过', '教导处审定通过']);
  });
});
