const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, text, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, ADMIN_ME, TERMS, plan, apiError } = require('../helpers/enrollment-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const paths = () => fake.calls.map((c) => `${c.method} ${c.path}`);

const open = (query) => openPage('plan', query);

test('with term_id: the published plan, section by section, in Chinese', async () => {
  fake.route('GET', '/terms/5', { status: 200, body: TERMS[1] });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan() });
  const page = await open({ term_id: '5' });

  expect(paths()).toEqual(['GET /terms/5', 'GET /terms/5/plan']);
  expect(text(page, '#term-name')).toBe('2025-2026学年第二学期 课后服务方案');
  expect(text(page, '#plan-version')).toContain('公示版本：第 2 版');
  // published_at is UTC; the page shows Beijing time
  expect(text(page, '#plan-version')).toContain('发布于 2026-02-10 10:00');
  expect(text(page, '#weekdays')).toBe('周一至周五（法定节假日除外）');
  const schedule = text(page, '#schedule');
  expect(schedule).toContain('低年级（1–2 年级）17:00 结束');
  expect(schedule).toContain('中年级（3–4 年级）17:20 结束');
  expect(schedule).toContain('高年级（5–6 年级）17:30 结束');
  expect(schedule).toContain('不超过 40 分钟');
  expect(text(page, '#winter')).toContain('冬令时（2026-11-01 起）');
  expect(text(page, '#winter')).toContain('16:50 结束');
  expect(page.querySelectorAll('.chip')).toHaveLength(3);
  expect(text(page, '#content')).toContain('自主阅读');
  expect(text(page, '#capacity')).toBe('不限');
  expect(text(page, '#fee')).toBe('每学期 300 元');
  expect(text(page, '#waiver-rules')).toBe('低保家庭全免；其他经济困难家庭经申请可减半。');
  expect(text(page, '#safety')).toContain('值班领导每节课巡查两次');
  expect(text(page, '#agreement')).toContain('示范小学课后服务协议书');
  expect(text(page, '#agreement')).toContain('二、家长责任：按时接孩子。');
  expect(exists(page, '#go-application')).toBe(false);
});

test('a monthly fee shows the month and the term total; a cap shows the places; some weekdays only', async () => {
  fake.route('GET', '/terms/5', { status: 200, body: TERMS[1] });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan({
    fee_period: 'month', fee_cents: 10050, term_fee_cents: 50250, capacity: 120, weekdays: [1, 2, 4], winter: null,
  }) });
  const page = await open({ term_id: '5' });

  expect(text(page, '#fee')).toBe('每月 100.50 元，本学期合计 502.50 元');
  expect(text(page, '#capacity')).toContain('120 人');
  expect(text(page, '#weekdays')).toBe('周一、周二、周四（法定节假日除外）');
  expect(exists(page, '#winter')).toBe(false);
});

test('with student_id: the current term of that child\'s school, and a link to the child\'s application', async () => {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan() });
  const page = await open({ student_id: '12' });

  expect(paths()).toEqual(['GET /me', 'GET /schools/1/terms', 'GET /terms/5/plan']);
  expect(text(page, '#term-name')).toContain('2025-2026学年第二学期');
  page.querySelector('#go-application').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/application/index?student_id=12' });
});

test('staff without children: the current term of their school', async () => {
  fake.route('GET', '/me', { status: 200, body: ADMIN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan() });
  const page = await open({});

  expect(paths()).toContain('GET /terms/5/plan');
  expect(text(page, '#fee')).toBe('每学期 300 元');
});

test('an admin who is also a parent elsewhere: the workbench entry (no query) shows the admin\'s school', async () => {
  fake.route('GET', '/me', { status: 200, body: {
    ...ADMIN_ME,
    roles: ['admin', 'guardian'],
    schools: [{ id: 2, name: '第二实验小学', roles: ['admin'], staff_id: 9 }],
    children: GUARDIAN_ME.children, // at school 1
  } });
  fake.route('GET', '/schools/2/terms', { status: 200, body: TERMS.map((t) => ({ ...t, id: t.id + 10, school_id: 2 })) });
  fake.route('GET', '/terms/15/plan', { status: 200, body: plan({ term_id: 15 }) });
  const page = await open({});

  expect(paths()).toEqual(['GET /me', 'GET /schools/2/terms', 'GET /terms/15/plan']);
  expect(text(page, '#fee')).toBe('每学期 300 元');
});

test('no published plan: the server\'s Chinese message, and retry loads it once published', async () => {
  fake.route('GET', '/terms/5', { status: 200, body: TERMS[1] });
  fake.route('GET', '/terms/5/plan', apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示'),
    { status: 200, body: plan() });
  const page = await open({ term_id: '5' });

  expect(text(page, '#load-error')).toContain('本学期课后服务方案尚未公示');
  expect(exists(page, '#agreement')).toBe(false);

  page.querySelector('#retry-btn').dispatchEvent('tap');
  await flush(10);
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#fee')).toBe('每学期 300 元');
});

test('a network failure says so in Chinese', async () => {
  fake.route('GET', '/terms/5', { network: true });
  const page = await open({ term_id: '5' });

  expect(text(page, '#load-error')).toContain('网络不给力，请稍后再试');
});

test('a pull-down reloads the plan; when that fails the plan stays on screen and a toast says why', async () => {
  fake.route('GET', '/terms/5', { status: 200, body: TERMS[1] });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan() }, { status: 200, body: plan({ version: 3, fee_cents: 20000 }) },
    apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'));
  const page = await open({ term_id: '5' });
  expect(text(page, '#plan-version')).toContain('第 2 版');

  await page.instance.onPullDownRefresh();
  expect(text(page, '#plan-version')).toContain('第 3 版');
  expect(text(page, '#fee')).toBe('每学期 200 元');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalledTimes(1);

  // while it reloads, and after it failed, the plan is still there
  const reloading = page.instance.onPullDownRefresh();
  expect(exists(page, '#loading')).toBe(false);
  expect(text(page, '#fee')).toBe('每学期 200 元');
  await reloading;
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#plan-version')).toContain('第 3 版');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务器开小差了，请稍后再试' }));
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalledTimes(2);
});
