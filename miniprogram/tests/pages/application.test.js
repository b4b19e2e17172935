const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, text, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, TERMS, plan, application, signature, apiError } = require('../helpers/enrollment-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const HISTORY = [
  { action: 'apply', from_status: null, to_status: 'submitted', actor_name: '王芳', actor_role: 'guardian', comment: null, at: '2026-02-21T01:30:00Z' },
  { action: 'sign', from_status: 'submitted', to_status: 'submitted', actor_name: '王芳', actor_role: 'guardian', comment: '签署协议第 2 版', at: '2026-02-21T01:35:00Z' },
];

/** The answers a guardian's application page needs; `apps` is GET /applications, `history` its history. */
function serve({ apps = [], history = [], planAnswer = { status: 200, body: plan() } } = {}) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/plan', planAnswer);
  fake.route('GET', '/applications', { status: 200, body: apps });
  fake.route('GET', '/applications/31/history', { status: 200, body: history });
}

const open = (studentId = '11') => openPage('application', { student_id: studentId });

const buttons = (page) => ['#sign-btn', '#apply-btn', '#resubmit-btn', '#edit-btn', '#withdraw-btn', '#decline-btn']
  .filter((id) => exists(page, id));

test('no answer yet: 尚未申请, apply or decline; apply opens the form for this child and term', async () => {
  serve();
  const page = await open();

  expect(text(page, '#child-name')).toBe('李小明');
  expect(text(page, '#term-name')).toBe('2025-2026学年第二学期');
  expect(text(page, '#status')).toBe('尚未申请');
  expect(buttons(page)).toEqual(['#apply-btn', '#decline-btn']);
  expect(text(page, '#apply-btn')).toBe('申请课后服务');
  expect(text(page, '#no-history')).toBe('暂无记录');
  // the term's applications are asked for, not every term's
  expect(fake.calls.find((c) => c.path === '/applications').data).toEqual({ term_id: 5 });
  expect(fake.calls.some((c) => c.path.endsWith('/history'))).toBe(false);

  page.querySelector('#apply-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/apply/index?student_id=11&term_id=5' });
});

test('submitted and not signed: details, 审核记录 in Chinese and Beijing time; sign, edit, withdraw, decline', async () => {
  serve({
    apps: [application('submitted', { priority_claims: ['migrant'], note: '花生过敏' }),
      application('approved', { id: 32, student_id: 12, student_name: '李小红' })],
    history: HISTORY.slice(0, 1),
  });
  const page = await open();

  expect(text(page, '#status')).toBe('待班主任审核');
  expect(text(page, '#weekdays')).toBe('周一至周五');
  expect(text(page, '#pickup')).toBe('家长接送');
  expect(text(page, '#priority')).toBe('进城务工随迁子女');
  expect(text(page, '#details')).toContain('花生过敏');
  expect(text(page, '#details')).toContain('2026-02-21 09:30');
  expect(text(page, '#signature')).toBe('未签署');
  expect(buttons(page)).toEqual(['#sign-btn', '#edit-btn', '#withdraw-btn', '#decline-btn']);
  expect(text(page, '#withdraw-btn')).toBe('撤回申请');
  const history = text(page, '#history');
  expect(history).toContain('提交申请');
  expect(history).toContain('家长 王芳');
  expect(history).toContain('2026-02-21 09:30');

  page.querySelector('#sign-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/apply/index?student_id=11&term_id=5&step=sign' });
  page.querySelector('#edit-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/apply/index?student_id=11&term_id=5' });
});

test('approved and signed this version: in care, only 退出课后服务', async () => {
  serve({
    apps: [application('approved', { signature: signature(2), in_care: true })],
    history: HISTORY.concat([
      { action: 'class_approve', from_status: 'submitted', to_status: 'class_approved', actor_name: '张老师', actor_role: 'class_head', comment: null, at: '2026-02-22T01:00:00Z' },
      { action: 'approve', from_status: 'class_approved', to_status: 'approved', actor_name: '刘主任', actor_role: 'admin', comment: null, at: '2026-02-23T01:00:00Z' },
    ]),
  });
  const page = await open();

  // who decided, in the role names the home page uses too (utils/roles.js)
  expect(text(page, '#history')).toContain('班主任 张老师');
  expect(text(page, '#history')).toContain('教导处管理员 刘主任');

  expect(text(page, '#status')).toBe('已通过');
  expect(text(page, '#notice')).toContain('孩子在本学期课后服务名单中');
  expect(text(page, '#signature')).toBe('已签署第 2 版（王芳，2026-02-21 09:35）');
  expect(buttons(page)).toEqual(['#withdraw-btn']);
  expect(text(page, '#withdraw-btn')).toBe('退出课后服务');
  expect(text(page, '#history')).toContain('签署协议');
});

test('approved but signed an older version: must sign the new one', async () => {
  serve({ apps: [application('approved', { signature: signature(1), in_care: true })] });
  const page = await open();

  expect(text(page, '#signature')).toContain('协议已更新为第 2 版');
  expect(text(page, '#notice')).toContain('签署协议后孩子才能参加课后服务');
  expect(buttons(page)).toEqual(['#sign-btn', '#withdraw-btn']);
});

test('rejected: the reason, resubmit, withdraw or decline', async () => {
  serve({
    apps: [application('rejected')],
    history: [HISTORY[0], { action: 'class_reject', from_status: 'submitted', to_status: 'rejected', actor_name: '张老师',
      actor_role: 'class_head', comment: '请补充情况说明', at: '2026-02-22T08:00:00Z' }],
  });
  const page = await open();

  expect(text(page, '#status')).toBe('未通过');
  expect(text(page, '#reject-reason')).toBe('退回原因：请补充情况说明');
  expect(buttons(page)).toEqual(['#resubmit-btn', '#withdraw-btn', '#decline-btn']);
  expect(text(page, '#history')).toContain('班主任退回');
  expect(text(page, '#history')).toContain('班主任 张老师');
});

test('declined: the reason and 重新申请 only', async () => {
  serve({ apps: [application('declined', { decline_reason: '家中有老人接送' })] });
  const page = await open();

  expect(text(page, '#status')).toBe('不参加');
  expect(text(page, '#decline-reason')).toBe('不参加原因：家中有老人接送');
  expect(exists(page, '#details')).toBe(false);
  expect(buttons(page)).toEqual(['#apply-btn']);
  expect(text(page, '#apply-btn')).toBe('重新申请');
});

test('withdrawn: since when, re-apply or decline', async () => {
  serve({ apps: [application('withdrawn', { leaves_on: '2026-03-02' })] });
  const page = await open();

  expect(text(page, '#notice')).toBe('已退出，自 2026-03-02 起不再参加课后服务。');
  expect(buttons(page)).toEqual(['#apply-btn', '#decline-btn']);
});

test('withdraw asks first; cancelling sends nothing, confirming withdraws once and shows the new state', async () => {
  serve({ apps: [application('approved', { signature: signature(2), in_care: true })] });
  const page = await open();

  fake.wx.showModal.mockImplementationOnce((options) => options.success({ confirm: false, cancel: true }));
  page.querySelector('#withdraw-btn').dispatchEvent('tap');
  await flush(10);
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '退出课后服务', content: expect.stringContaining('从明天起不再参加'),
  }));
  expect(fake.calls.some((c) => c.method === 'POST')).toBe(false);

  fake.route('POST', '/applications/31/withdraw', { status: 200, body: application('withdrawn', { leaves_on: '2026-03-02' }) });
  fake.route('GET', '/applications', { status: 200, body: [application('withdrawn', { leaves_on: '2026-03-02' })] });
  fake.wx.showModal.mockImplementationOnce((options) => options.success({ confirm: true, cancel: false }));
  page.querySelector('#withdraw-btn').dispatchEvent('tap');
  await flush(20);

  const posts = fake.calls.filter((c) => c.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(posts[0].path).toBe('/applications/31/withdraw');
  expect(posts[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已退出' }));
  expect(text(page, '#status')).toBe('已退出');
});

test('withdraw is one at a time: a second tap while asking or sending does nothing; the buttons wait meanwhile', async () => {
  serve({ apps: [application('submitted')] });
  const page = await open();
  let answer;
  fake.wx.showModal.mockImplementation((options) => { answer = options.success; });
  let release;
  fake.route('POST', '/applications/31/withdraw', () => new Promise((resolve) => { release = resolve; }).then(() => ({
    status: 200, body: application('withdrawn'),
  })));
  fake.route('GET', '/applications', { status: 200, body: [application('withdrawn')] });

  page.querySelector('#withdraw-btn').dispatchEvent('tap');
  await flush();
  page.querySelector('#withdraw-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.showModal).toHaveBeenCalledTimes(1);

  answer({ confirm: true, cancel: false });
  await flush();
  expect(page.instance.data.busy).toBeTruthy();
  page.instance.onWithdraw();
  page.instance.onDeclineConfirm();
  await flush();
  expect(fake.mutations().map((c) => c.path)).toEqual(['/applications/31/withdraw']);

  release();
  await flush(20);
  expect(fake.mutations()).toHaveLength(1);
  expect(page.instance.data.busy).toBeFalsy();
  expect(text(page, '#status')).toBe('已退出');
});

test('a refusal for another reason: the server\'s message, the page reloaded, the buttons free again', async () => {
  serve({ apps: [application('submitted')] });
  const page = await open();
  fake.answerModal(true);
  fake.route('POST', '/applications/31/withdraw', { network: true });

  await page.instance.onWithdraw();

  expect(fake.sent('POST', '/applications/31/withdraw')).toHaveLength(3); // idempotent: retried twice
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
  expect(fake.wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '已撤回' }));
  expect(fake.sent('GET', '/applications')).toHaveLength(2);
  expect(page.instance.data.busy).toBeFalsy();
  expect(text(page, '#status')).toBe('待班主任审核');
});

test('decline with an optional reason', async () => {
  serve();
  const page = await open();

  expect(exists(page, '#decline-panel')).toBe(false);
  page.querySelector('#decline-btn').dispatchEvent('tap');
  await flush(1);
  expect(text(page, '#decline-panel')).toContain('自愿');
  page.querySelector('#decline-reason-input').dispatchEvent('input', { detail: { value: '  参加校外兴趣班 ' } });
  await flush(1);

  fake.route('POST', '/applications/decline', { status: 200, body: application('declined', { decline_reason: '参加校外兴趣班' }) });
  fake.route('GET', '/applications', { status: 200, body: [application('declined', { decline_reason: '参加校外兴趣班' })] });
  page.querySelector('#decline-confirm').dispatchEvent('tap');
  await flush(20);

  const post = fake.calls.find((c) => c.method === 'POST');
  expect(post.path).toBe('/applications/decline');
  expect(post.data).toEqual({ student_id: 11, term_id: 5, reason: '参加校外兴趣班' });
  expect(post.header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#status')).toBe('不参加');
  expect(exists(page, '#decline-panel')).toBe(false);
});

test('decline without a reason sends null; cancelling closes the panel', async () => {
  serve();
  const page = await open();

  page.querySelector('#decline-btn').dispatchEvent('tap');
  await flush(1);
  page.querySelector('#decline-cancel').dispatchEvent('tap');
  await flush(1);
  expect(exists(page, '#decline-panel')).toBe(false);

  fake.route('POST', '/applications/decline', { status: 200, body: application('declined') });
  page.querySelector('#decline-btn').dispatchEvent('tap');
  await flush(1);
  page.querySelector('#decline-confirm').dispatchEvent('tap');
  await flush(20);
  expect(fake.calls.find((c) => c.method === 'POST').data.reason).toBeNull();
});

test('an action refused because the state changed: the Chinese message, then the current state', async () => {
  serve({ apps: [application('class_approved')] });
  const page = await open();
  expect(buttons(page)).toEqual(['#sign-btn', '#withdraw-btn', '#decline-btn']);

  fake.route('POST', '/applications/decline', apiError(409, 'APPLICATION_STATE', '申请当前状态为「已通过」，不能进行此操作'));
  fake.route('GET', '/applications', { status: 200, body: [application('approved', { signature: signature(2), in_care: true })] });
  page.querySelector('#decline-btn').dispatchEvent('tap');
  await flush(1);
  page.querySelector('#decline-confirm').dispatchEvent('tap');
  await flush(20);

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({
    title: '申请当前状态为「已通过」，不能进行此操作', icon: 'none',
  }));
  expect(text(page, '#status')).toBe('已通过');
  expect(buttons(page)).toEqual(['#withdraw-btn']);
});

test('no plan published yet: says so, no apply; declining is still possible', async () => {
  serve({ planAnswer: apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示') });
  const page = await open();

  expect(text(page, '#plan-message')).toBe('本学期课后服务方案尚未公示，暂不能申请。');
  expect(exists(page, '#plan-link')).toBe(false);
  expect(buttons(page)).toEqual(['#decline-btn']);
});

test('a child who is not mine: a Chinese error, no application calls', async () => {
  serve();
  const page = await open('999');

  expect(text(page, '#load-error')).toContain('未找到该孩子');
  expect(fake.calls.some((c) => c.path === '/applications')).toBe(false);
});

test('a failed first load can be retried', async () => {
  serve();
  fake.route('GET', '/applications', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), { status: 200, body: [] });
  const page = await open();

  expect(text(page, '#load-error')).toContain('服务器开小差了');
  page.querySelector('#retry-btn').dispatchEvent('tap');
  await flush(20);
  expect(text(page, '#status')).toBe('尚未申请');
});

test('the plan link opens that term\'s plan', async () => {
  serve();
  const page = await open();
  page.querySelector('#plan-link').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/plan/index?term_id=5' });
});
