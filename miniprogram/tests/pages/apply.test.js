const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { renderPage, openPage, tap, type, text, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, AGREEMENT_TEXT, plan, application, signature, apiError } = require('../helpers/enrollment-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

function serve({ apps = [], planAnswers = [{ status: 200, body: plan() }] } = {}) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/terms/5/plan', ...planAnswers);
  fake.route('GET', '/applications', { status: 200, body: apps });
}

const open = (query = {}) => openPage('apply', { student_id: '11', term_id: '5', ...query });
// miniprogram-simulate drops built-in components' attributes (disabled), so the page marks the
// disabled sign button with a class computed from the same expression.
function signDisabled(page) {
  const locked = /(^|\s|--)btn--locked(\s|$)/.test(page.querySelector('#sign-btn').dom.className);
  expect(locked).toBe(!page.instance.data.readToEnd || page.instance.data.signing);
  return locked;
}

test('the form offers the plan\'s days (all chosen), the three pickup modes and the priority groups', async () => {
  serve({ planAnswers: [{ status: 200, body: plan({ weekdays: [1, 2, 3, 4] }) }] });
  const page = await open();

  expect(text(page, '#intro')).toContain('李小明');
  expect(page.querySelectorAll('.option--on').length).toBe(4);
  expect(text(page, '#weekdays-field')).toContain('周一');
  expect(text(page, '#weekdays-field')).not.toContain('周五');
  expect(text(page, '#pickup-field')).toContain('家长接送');
  expect(text(page, '#pickup-field')).toContain('委托他人接送');
  expect(text(page, '#pickup-field')).toContain('自行回家');
  expect(text(page, '#priority-field')).toContain('进城务工随迁子女');
  expect(exists(page, '#self-statement')).toBe(false);
  expect(text(page, '#submit-btn')).toBe('提交申请');
});

test('apply, then the agreement: signing stays disabled until it is scrolled to the end', async () => {
  serve();
  const page = await open();

  await tap(page, '#day-5'); // not on Fridays
  await tap(page, '#pickup-delegate');
  await tap(page, '#priority-dual_working');
  await type(page, '#note', ' 花生过敏 ');
  fake.route('POST', '/applications', { status: 201, body: application('submitted', { weekdays: [1, 2, 3, 4] }) });
  await tap(page, '#submit-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/applications');
  expect(fake.mutations()[0].data).toEqual({
    student_id: 11, term_id: 5, weekdays: [1, 2, 3, 4], pickup_mode: 'delegate', self_statement: null,
    priority_claims: ['dual_working'], note: '花生过敏',
  });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '申请已提交' }));

  // the agreement, unread
  expect(text(page, '#agreement-title')).toBe('示范小学课后服务协议书');
  expect(text(page, '#agreement-version')).toContain('第 2 版');
  expect(text(page, '#agreement-text')).toBe(AGREEMENT_TEXT.replace(/\s+/g, ' '));
  expect(text(page, '#read-hint')).toBe('请滑动阅读至协议末尾');
  expect(signDisabled(page)).toBe(true);

  // a tap on the (disabled) button signs nothing
  await tap(page, '#sign-btn');
  expect(fake.mutations()).toHaveLength(1);
  expect(fake.wx.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '请先阅读完协议全文' }));

  // scrolling part-way is not the end
  page.querySelector('#agreement-scroll').dispatchEvent('scroll', { detail: { scrollTop: 50, scrollHeight: 900 } });
  await flush(1);
  expect(signDisabled(page)).toBe(true);

  page.querySelector('#agreement-scroll').dispatchEvent('scrolltolower', { detail: { direction: 'bottom' } });
  await flush(1);
  expect(signDisabled(page)).toBe(false);
  expect(text(page, '#read-hint')).toBe('您已阅读完协议全文');

  fake.route('POST', '/applications/31/sign', { status: 200, body: application('submitted', { signature: signature(2) }) });
  await tap(page, '#sign-btn');

  const sign = fake.mutations()[1];
  expect(sign.path).toBe('/applications/31/sign');
  expect(sign.data).toEqual(expect.objectContaining({ plan_version: 2, text_hash: 'hash-v2' }));
  expect(sign.data.client).toMatch(/^kehou-miniprogram/);
  expect(sign.header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '协议已签署' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('self pickup requires the written statement (情况说明) before anything is sent', async () => {
  serve();
  const page = await open();

  await tap(page, '#pickup-self');
  expect(exists(page, '#self-statement')).toBe(true);
  await tap(page, '#submit-btn');
  expect(text(page, '#self-statement-error')).toBe('孩子自行回家，须由家长填写书面情况说明');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#self-statement', '   ');
  await tap(page, '#submit-btn');
  expect(exists(page, '#self-statement-error')).toBe(true);
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#self-statement', '家住学校对面，步行五分钟，到家后电话报平安。');
  expect(exists(page, '#self-statement-error')).toBe(false);
  fake.route('POST', '/applications', { status: 201, body: application('submitted', { pickup_mode: 'self' }) });
  await tap(page, '#submit-btn');
  expect(fake.mutations()[0].data).toEqual(expect.objectContaining({
    pickup_mode: 'self', self_statement: '家住学校对面，步行五分钟，到家后电话报平安。',
  }));
});

test('a statement typed and then another pickup mode chosen is not sent', async () => {
  serve();
  const page = await open();
  await tap(page, '#pickup-self');
  await type(page, '#self-statement', '自己回家');
  await tap(page, '#pickup-guardian');
  expect(exists(page, '#self-statement')).toBe(false);
  fake.route('POST', '/applications', { status: 201, body: application('submitted') });
  await tap(page, '#submit-btn');
  expect(fake.mutations()[0].data).toEqual(expect.objectContaining({ pickup_mode: 'guardian', self_statement: null }));
});

test('at least one day must be chosen', async () => {
  serve({ planAnswers: [{ status: 200, body: plan({ weekdays: [1, 3] }) }] });
  const page = await open();
  await tap(page, '#day-1');
  await tap(page, '#day-3');
  await tap(page, '#submit-btn');
  expect(text(page, '#weekdays-error')).toBe('请至少选择一天');
  expect(fake.mutations()).toHaveLength(0);
  await tap(page, '#day-3');
  expect(exists(page, '#weekdays-error')).toBe(false);
});

test('the server\'s field errors land on their fields, in Chinese', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications',
    apiError(422, 'WEEKDAY_NOT_OFFERED', '所选日期不在本学期服务日内', { weekdays: '学校不在周五提供服务' }));
  await tap(page, '#submit-btn');

  expect(text(page, '#weekdays-error')).toBe('学校不在周五提供服务');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '所选日期不在本学期服务日内', icon: 'none' }));
  expect(text(page, '#submit-btn')).toBe('提交申请'); // still on the form
});

test('an error without fields is shown on the form', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications', apiError(409, 'TERM_ENDED', '该学期已结束'));
  await tap(page, '#submit-btn');
  expect(text(page, '#form-error')).toBe('该学期已结束');
  expect(page.instance.data.submitting).toBe(false);
});

test('editing a submitted application: prefilled, PATCH, and already signed → straight back', async () => {
  serve({ apps: [application('submitted', {
    weekdays: [2, 4], pickup_mode: 'self', self_statement: '住得近', priority_claims: ['left_behind'], note: '周四有钢琴课',
    signature: signature(2),
  })] });
  const page = await open();

  expect(text(page, '#submit-btn')).toBe('保存修改');
  expect(page.instance.data.dayOptions.filter((o) => o.selected).map((o) => o.day)).toEqual([2, 4]);
  expect(page.instance.data.pickupMode).toBe('self');
  expect(page.instance.data.selfStatement).toBe('住得近');
  expect(page.instance.data.priorityOptions.filter((o) => o.selected).map((o) => o.key)).toEqual(['left_behind']);

  await tap(page, '#day-1');
  fake.route('PATCH', '/applications/31', { status: 200, body: application('submitted', { signature: signature(2) }) });
  await tap(page, '#submit-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].method).toBe('PATCH');
  expect(fake.mutations()[0].path).toBe('/applications/31');
  expect(fake.mutations()[0].data).toEqual({
    weekdays: [1, 2, 4], pickup_mode: 'self', self_statement: '住得近', priority_claims: ['left_behind'], note: '周四有钢琴课',
  });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#agreement-scroll')).toBe(false);
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('a rejected application is corrected and resubmitted', async () => {
  serve({ apps: [application('rejected')] });
  const page = await open();
  expect(text(page, '#submit-btn')).toBe('重新提交');
  fake.route('PATCH', '/applications/31', { status: 200, body: application('submitted') });
  await tap(page, '#submit-btn');
  expect(fake.mutations()[0].method).toBe('PATCH');
  expect(exists(page, '#agreement-scroll')).toBe(true);
});

test('after declining, applying again is a new POST', async () => {
  serve({ apps: [application('declined')] });
  const page = await open();
  expect(text(page, '#submit-btn')).toBe('提交申请');
  fake.route('POST', '/applications', { status: 201, body: application('submitted') });
  await tap(page, '#submit-btn');
  expect(fake.mutations()[0].path).toBe('/applications');
});

test('applying again after withdrawing shows the agreement even though an older signature exists', async () => {
  serve({ apps: [application('withdrawn', { signature: signature(2), leaves_on: '2026-03-02' })] });
  const page = await open();
  expect(text(page, '#submit-btn')).toBe('提交申请');
  fake.route('POST', '/applications', { status: 201, body: application('submitted', { signature: signature(2) }) });
  await tap(page, '#submit-btn');
  expect(fake.mutations()[0].path).toBe('/applications');
  expect(exists(page, '#agreement-scroll')).toBe(true);
  expect(signDisabled(page)).toBe(true);
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();
});

test('an application under final review cannot be edited', async () => {
  serve({ apps: [application('class_approved')] });
  const page = await open();
  expect(text(page, '#load-error')).toContain('申请当前状态为「待教导处审定」，不能再修改');
});

test('step=sign opens the agreement; a newer published version reloads it, unread, and signs that one', async () => {
  const v3 = plan({ version: 3, agreement_hash: 'hash-v3', agreement_text: '第三版协议：新增冬令时条款。' });
  serve({ apps: [application('approved', { signature: signature(1) })], planAnswers: [{ status: 200, body: plan() }, { status: 200, body: v3 }] });
  const page = await open({ step: 'sign' });

  expect(exists(page, '#submit-btn')).toBe(false);
  expect(text(page, '#agreement-version')).toContain('第 2 版');
  page.querySelector('#agreement-scroll').dispatchEvent('scrolltolower', { detail: {} });
  await flush(1);

  fake.route('POST', '/applications/31/sign',
    { status: 409, body: { error: { code: 'AGREEMENT_OUTDATED', message: '协议已更新为第 3 版，请阅读最新版本后再签署', current_version: 3 } } },
    { status: 200, body: application('approved', { signature: signature(3), in_care: true }) });
  await tap(page, '#sign-btn');

  expect(fake.mutations()[0].data.plan_version).toBe(2);
  expect(fake.calls.filter((c) => c.path === '/terms/5/plan')).toHaveLength(2);
  expect(text(page, '#agreement-version')).toContain('第 3 版');
  expect(text(page, '#agreement-text')).toBe('第三版协议：新增冬令时条款。');
  expect(text(page, '#agreement-notice')).toBe('协议已更新为第 3 版，请阅读最新版本后再签署');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '协议已更新为第 3 版，请阅读最新版本后再签署' }));
  expect(signDisabled(page)).toBe(true);
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();

  page.querySelector('#agreement-scroll').dispatchEvent('scrolltolower', { detail: {} });
  await flush(1);
  await tap(page, '#sign-btn');
  expect(fake.mutations()[1].data).toEqual(expect.objectContaining({ plan_version: 3, text_hash: 'hash-v3' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('other signing errors are shown and the page stays', async () => {
  serve({ apps: [application('submitted')] });
  const page = await open({ step: 'sign' });
  page.querySelector('#agreement-scroll').dispatchEvent('scrolltolower', { detail: {} });
  await flush(1);
  fake.route('POST', '/applications/31/sign', apiError(409, 'APPLICATION_STATE', '申请当前状态为「已退出」，不能签署协议'));
  await tap(page, '#sign-btn');
  expect(text(page, '#agreement-notice')).toBe('申请当前状态为「已退出」，不能签署协议');
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();
  expect(signDisabled(page)).toBe(false);
});

test('step=sign for a child who has not applied is refused in Chinese', async () => {
  serve({ apps: [application('declined')] });
  const page = await open({ step: 'sign' });
  expect(text(page, '#load-error')).toContain('申请当前状态为「不参加」，不能签署协议');
});

test('a short agreement that fits without scrolling counts as read', async () => {
  serve({ apps: [application('submitted')] });
  const page = renderPage('apply');
  // layout: the text (200 px) fits in the box (400 px), so scrolltolower would never fire
  page.instance.createSelectorQuery = () => {
    const rects = [];
    const query = {
      select: (selector) => ({
        boundingClientRect: () => { rects.push(selector === '#agreement-scroll' ? { height: 400 } : { height: 200 }); return query; },
      }),
      exec: (cb) => setTimeout(() => cb(rects), 0),
    };
    return query;
  };
  await page.instance.onLoad({ student_id: '11', term_id: '5', step: 'sign' });
  await flush(5);
  expect(signDisabled(page)).toBe(false);
});

test('稍后签署 goes back without signing; with nothing to go back to it opens the application page', async () => {
  serve({ apps: [application('submitted')] });
  fake.wx.navigateBack.mockImplementation((options) => options.fail({ errMsg: 'navigateBack:fail' }));
  const page = await open({ step: 'sign' });
  await tap(page, '#later-btn');
  expect(fake.mutations()).toHaveLength(0);
  expect(fake.wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/application/index?student_id=11' });
});
