const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { renderPage, text, exists } = require('../helpers/render-page');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const GUARDIAN = {
  account_id: 7,
  name: '王芳',
  roles: ['guardian'],
  schools: [],
  children: [
    { id: 1, name: '李小明', school_id: 1, school_name: '示范小学', class_id: 3, class_name: '三年级(2)班', relation: '妈妈', may_pick_up: true,
      consent: { rules_version: '1.0', needed: false, given: ['roster', 'photo', 'notifications'] } },
    { id: 2, name: '李小红', school_id: 1, school_name: '示范小学', class_id: 1, class_name: '一年级(1)班', relation: '妈妈', may_pick_up: true,
      consent: { rules_version: '1.0', needed: false, given: ['roster'] } },
  ],
};

const TEACHER = {
  account_id: 8,
  name: '张老师',
  roles: ['class_head', 'teacher'],
  schools: [{ id: 1, name: '示范小学', roles: ['class_head', 'teacher'], staff_id: 4 }],
  children: [],
};

async function showHome(profile) {
  fake.route('GET', '/me', { status: 200, body: profile });
  const page = renderPage('home');
  await page.instance.onShow();
  return page;
}

test('a guardian sees each child with class and school, and the bind button', async () => {
  const page = await showHome(GUARDIAN);

  expect(fake.calls.map((c) => `${c.method} ${c.path}`).sort()).toEqual(
    ['GET /inbox', 'GET /me', 'GET /notifications/subscriptions', 'GET /notifications/templates']);
  expect(text(page, '#greeting')).toBe('王芳，您好');
  const cards = page.querySelectorAll('.child');
  expect(cards).toHaveLength(2);
  expect(text(page, '#guardian-section')).toContain('李小明');
  expect(text(page, '#guardian-section')).toContain('三年级(2)班 · 示范小学');
  expect(text(page, '#guardian-section')).toContain('李小红');
  expect(exists(page, '#staff-section')).toBe(false);
  expect(exists(page, '#admin-section')).toBe(false);

  page.querySelector('#bind-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' });
});

test('我的 · 隐私与授权 for a guardian with children; a banner when the processing rules ask again', async () => {
  let page = await showHome(GUARDIAN);
  expect(exists(page, '#consent-needed')).toBe(false);
  page.querySelector('#mine-entry').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/mine/index' });

  const asked = { ...GUARDIAN.children[1], consent: { rules_version: '2.0', needed: true, given: [] } };
  page = await showHome({ ...GUARDIAN, children: [GUARDIAN.children[0], asked] });
  expect(text(page, '#consent-needed')).toBe('《儿童个人信息处理规则》已更新，请阅读并确认 ›');
  page.querySelector('#consent-needed').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/mine/index' });
});

test('staff see their school, roles and the coming-soon work entries, not the children list', async () => {
  const page = await showHome(TEACHER);

  const staff = text(page, '#staff-section');
  expect(staff).toContain('示范小学');
  expect(staff).toContain('班主任、课后服务教师');
  expect(staff).toContain('今日托管');
  expect(staff).toContain('班级审核');
  expect(staff).toContain('即将上线');
  expect(page.querySelectorAll('.entry--disabled').length).toBeGreaterThan(0);
  expect(exists(page, '#guardian-section')).toBe(false);
  // staff who are parents too can still find binding
  expect(exists(page, '#bind-link')).toBe(true);

  page.querySelector('.entry--class-attendance').dispatchEvent('tap');
  await flush();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '即将上线，敬请期待' }));
});

test('duty leader and guard get their own entries', async () => {
  const page = await showHome({
    account_id: 9, name: '赵主任', roles: ['duty_leader', 'guard'], children: [],
    schools: [{ id: 1, name: '示范小学', roles: ['duty_leader', 'guard'] }],
  });

  const staff = text(page, '#staff-section');
  expect(staff).toContain('今日值班');
  expect(staff).toContain('突发情况');
  expect(staff).toContain('值班日志');
  expect(staff).toContain('清校确认');
  expect(staff).toContain('超时未接');
  expect(staff).toContain('今日托管');
  expect(staff).not.toContain('班级审核');
  // the late list and the board once each, though both roles have them
  expect(page.querySelectorAll('.entry--late-pickup')).toHaveLength(1);
  expect(page.querySelectorAll('.entry--clearance')).toHaveLength(1);
});

test('放学接送 entries open their pages, per role; a guard\'s are 迟接登记 and 放学看板', async () => {
  const urls = async (roles) => {
    const page = await showHome({ ...TEACHER, roles, schools: [{ id: 1, name: '示范小学', roles }] });
    fake.wx.navigateTo.mockClear();
    const found = {};
    for (const key of ['handoff', 'walk-home', 'late-pickup', 'clearance']) {
      if (!exists(page, `.entry--${key}`)) continue;
      page.querySelector(`.entry--${key}`).dispatchEvent('tap');
      await flush();
      found[key] = fake.wx.navigateTo.mock.calls[fake.wx.navigateTo.mock.calls.length - 1][0].url;
    }
    return { page, found };
  };

  let { found } = await urls(['teacher']);
  expect(found).toEqual({
    handoff: '/pages/pickup-scan/index', 'walk-home': '/pages/pickup-walk-home/index', 'late-pickup': '/pages/pickup-late/index',
  });
  ({ found } = await urls(['duty_leader']));
  expect(found).toEqual({
    handoff: '/pages/pickup-scan/index', 'late-pickup': '/pages/pickup-late/index', clearance: '/pages/pickup-board/index',
  });
  const guard = await urls(['guard']);
  expect(guard.found).toEqual({ 'late-pickup': '/pages/pickup-late/index', clearance: '/pages/pickup-board/index' });
  expect(text(guard.page, '.entry--late-pickup')).toContain('迟接登记');
  expect(text(guard.page, '.entry--clearance')).toContain('放学看板');
  const admin = await urls(['admin']);
  expect(admin.found).toEqual({ clearance: '/pages/pickup-board/index' });
});

test('值班 entries open their pages: duty leaders (今日值班, 突发情况, 值班日志), teachers and class heads (报告突发情况), admins (值班安排)', async () => {
  const urls = async (roles, keys) => {
    const page = await showHome({ ...TEACHER, roles, schools: [{ id: 1, name: '示范小学', roles }] });
    fake.wx.navigateTo.mockClear();
    const found = {};
    for (const key of keys) {
      if (!exists(page, `.entry--${key}`)) continue;
      expect(page.querySelector(`.entry--${key}`).dom.className).not.toContain('entry--disabled');
      page.querySelector(`.entry--${key}`).dispatchEvent('tap');
      await flush();
      found[key] = fake.wx.navigateTo.mock.calls[fake.wx.navigateTo.mock.calls.length - 1][0].url;
    }
    return found;
  };
  const KEYS = ['duty-today', 'incidents', 'duty-log', 'incident-report', 'duty-roster'];

  expect(await urls(['duty_leader'], KEYS)).toEqual({
    'duty-today': '/pages/duty-today/index', incidents: '/pages/incidents/index', 'duty-log': '/pages/duty-report/index',
  });
  // a teacher may be on the roster as patrol staff
  expect(await urls(['teacher'], KEYS)).toEqual({
    'incident-report': '/pages/incident-report/index', 'duty-today': '/pages/duty-today/index',
  });
  expect(await urls(['class_head'], KEYS)).toEqual({ 'incident-report': '/pages/incident-report/index' });
  expect(await urls(['admin'], KEYS)).toEqual({
    'duty-roster': '/pages/duty-roster/index', 'duty-log': '/pages/duty-report/index', incidents: '/pages/incidents/index',
  });
});

test('a guardian: 接送码 on top, 临时接送 on each child; someone with no role (a delegate) gets 接送码 too', async () => {
  let page = await showHome(GUARDIAN);
  page.querySelector('#pickup-code-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/pickup-code/index' });
  page.querySelectorAll('.child__action--delegates')[0].dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/pages/pickup-delegates/index?student_id=1' }));

  page = await showHome({ account_id: 30, name: '张三', roles: [], schools: [], children: [] });
  expect(exists(page, '#pickup-code-btn')).toBe(true);
});

test('今日托管 opens the day\'s sessions, once on the page: for teachers, class heads, duty leaders and admins', async () => {
  const open = async (profile) => {
    const page = await showHome(profile);
    expect(page.querySelectorAll('.entry--care-today')).toHaveLength(1);
    page.querySelector('.entry--care-today').dispatchEvent('tap');
    await flush();
    return page;
  };
  await open({ ...TEACHER, roles: ['teacher'], schools: [{ id: 1, name: '示范小学', roles: ['teacher'] }] });
  await open({ ...TEACHER, roles: ['duty_leader'], schools: [{ id: 1, name: '示范小学', roles: ['duty_leader'] }] });
  const admin = await open({ ...TEACHER, roles: ['admin'], schools: [{ id: 1, name: '示范小学', roles: ['admin'] }] });
  expect(text(admin, '#admin-section')).toContain('今日托管');
  // staff and admin: on the workbench, not again under 学校管理
  const both = await open({ ...TEACHER, roles: ['admin', 'class_head'], schools: [{ id: 1, name: '示范小学', roles: ['admin', 'class_head'] }] });
  expect(text(both, '#staff-section')).toContain('今日托管');
  expect(text(both, '#admin-section')).not.toContain('今日托管');
  expect(fake.wx.navigateTo.mock.calls.map(([options]) => options.url)).toEqual(Array(4).fill('/pages/sessions/index'));
});

test('a guardian who is also staff and admin sees every section', async () => {
  const page = await showHome({
    ...TEACHER,
    roles: ['admin', 'guardian', 'teacher'],
    schools: [{ id: 1, name: '示范小学', roles: ['admin', 'teacher'] }],
    children: [GUARDIAN.children[0]],
  });

  expect(exists(page, '#guardian-section')).toBe(true);
  expect(exists(page, '#staff-section')).toBe(true);
  expect(exists(page, '#admin-section')).toBe(true);
  expect(text(page, '#guardian-section')).toContain('李小明');
  expect(text(page, '#admin-section')).toContain('申请审定');
  expect(exists(page, '#bind-link')).toBe(false);
});

test('an account with no role yet is offered binding', async () => {
  const page = await showHome({ account_id: 10, name: '', roles: [], schools: [], children: [] });

  expect(text(page, '#greeting')).toBe('您好');
  expect(text(page, '#no-children')).toContain('还没有绑定孩子');
  expect(exists(page, '#bind-btn')).toBe(true);
});

test('a failed first load shows the message and a retry button that works', async () => {
  fake.route('GET', '/me', { network: true }, { network: true }, { network: true }, { status: 200, body: GUARDIAN });
  const page = renderPage('home');
  await page.instance.onShow();

  expect(text(page, '#load-error')).toContain('网络不给力，请稍后再试');
  expect(exists(page, '#guardian-section')).toBe(false);

  await page.instance.onRetry();
  expect(exists(page, '#load-error')).toBe(false);
  expect(page.querySelectorAll('.child')).toHaveLength(2);
});

test('showing the page again refreshes it (after binding a child)', async () => {
  fake.route('GET', '/me',
    { status: 200, body: { ...GUARDIAN, children: [] } },
    { status: 200, body: GUARDIAN });
  const page = renderPage('home');
  await page.instance.onShow();
  expect(page.querySelectorAll('.child')).toHaveLength(0);

  await page.instance.onShow();
  expect(page.querySelectorAll('.child')).toHaveLength(2);
});

// ---------- 消息 entry and unread badge ----------

function inboxPage(unread) {
  return { status: 200, body: { items: [], total: unread, page: 1, page_size: 1, unread } };
}

test('the 消息 entry shows the unread count and opens the inbox', async () => {
  fake.route('GET', '/inbox', inboxPage(3));
  const page = await showHome(GUARDIAN);

  const inboxCall = fake.calls.find((c) => c.path === '/inbox');
  expect(inboxCall.data).toEqual({ page: 1, page_size: 1 }); // only the count is needed
  expect(text(page, '#unread-badge')).toBe('3');

  page.querySelector('#inbox-entry').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/inbox/index' });
});

test('the unread count is refreshed on show, hidden at zero and capped at 99+', async () => {
  fake.route('GET', '/me', { status: 200, body: TEACHER });
  fake.route('GET', '/inbox', inboxPage(120), inboxPage(0));
  const page = renderPage('home');
  await page.instance.onShow();
  expect(text(page, '#unread-badge')).toBe('99+');

  await page.instance.onShow(); // back from the inbox after reading everything
  expect(exists(page, '#unread-badge')).toBe(false);
  expect(text(page, '#inbox-entry')).toBe('消息');
  expect(fake.calls.filter((c) => c.path === '/inbox')).toHaveLength(2);
});

test('a failing unread count does not break the home page', async () => {
  fake.route('GET', '/inbox', { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了' } } });
  const page = await showHome(GUARDIAN);

  expect(page.querySelectorAll('.child')).toHaveLength(2);
  expect(exists(page, '#load-error')).toBe(false);
  expect(exists(page, '#unread-badge')).toBe(false);
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

// ---------- 开启微信提醒 ----------

// Four long-term templates and two one-time ones, in the server's (not the priority) order.
const TEMPLATES = [
  { event: 'application_decision', title: '课后服务申请结果', template_id: 'T-APP', long_term: true },
  { event: 'arrived', title: '已到托管', template_id: 'T-ARR', long_term: true },
  { event: 'club_result', title: '社团选课结果', template_id: 'T-CLUB', long_term: false },
  { event: 'absent', title: '托管未到', template_id: 'T-ABS', long_term: true },
  { event: 'picked_up', title: '孩子已被接走', template_id: 'T-PICK', long_term: true },
  { event: 'late_pickup', title: '接孩子超时', template_id: 'T-LATE', long_term: false },
];
const LONG_TERM = TEMPLATES.filter((t) => t.long_term).map((t) => t.template_id);
const ONE_TIME = TEMPLATES.filter((t) => !t.long_term).map((t) => t.template_id);

/** The subscription rules of app/notify/service.py in small: accept switches long-term on, adds a one-time send. */
function subscriptionServer(initial = []) {
  const rows = {};
  initial.forEach((row) => { rows[row.template_id] = { ...row }; });
  const list = () => Object.keys(rows).map((id) => rows[id]);
  fake.route('GET', '/notifications/subscriptions', () => ({ status: 200, body: list() }));
  fake.route('POST', '/notifications/subscriptions', (req) => {
    Object.keys(req.data.results).forEach((id) => {
      const template = TEMPLATES.find((t) => t.template_id === id);
      const row = rows[id] || { template_id: id, event: template.event, long_term: false, remaining: 0 };
      const choice = req.data.results[id];
      if (template.long_term) row.long_term = choice === 'accept';
      else if (choice === 'accept') row.remaining += 1;
      row.last_choice = choice;
      rows[id] = row;
    });
    return { status: 200, body: list() };
  });
  return rows;
}

/** wx.requestSubscribeMessage answering `answer(tmplIds)`: a choice per id, or {fail: {errCode, errMsg}}. */
function fakeSubscribe(answer) {
  const subscribe = jest.fn((options) => {
    // how many requests had been sent when the popup was asked for
    subscribe.requestsBefore.push(fake.calls.length);
    const result = answer(options.tmplIds);
    setTimeout(() => {
      if (result.fail) {
        options.fail(result.fail);
        return;
      }
      const res = { errMsg: 'requestSubscribeMessage:ok' };
      options.tmplIds.forEach((id) => { res[id] = result[id] || result.all; });
      options.success(res);
    }, 0);
  });
  subscribe.requestsBefore = [];
  fake.wx.requestSubscribeMessage = subscribe;
  return subscribe;
}

async function tapSubscribe(page) {
  page.querySelector('#subscribe-btn').dispatchEvent('tap');
  await flush(10);
}

const subscribePosts = () => fake.calls.filter((c) => c.method === 'POST' && c.path === '/notifications/subscriptions');

test('subscribing asks for at most 3 ids per tap, never mixing long-term and one-time, and posts the answers',
  async () => {
    fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
    subscriptionServer();
    const subscribe = fakeSubscribe(() => ({ all: 'accept' }));
    const page = await showHome(GUARDIAN);

    expect(text(page, '#subscribe-card')).toContain('开启微信提醒');
    expect(text(page, '#subscribe-btn')).toBe('开启微信提醒');

    // the popup is requested in the tap itself, before any network call (WeChat refuses it after one)
    const requestsBeforeTap = fake.calls.length;
    await tapSubscribe(page);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(subscribe.requestsBefore).toEqual([requestsBeforeTap]);

    // first tap: the three most important long-term templates
    expect(subscribe.mock.calls[0][0].tmplIds).toEqual(['T-PICK', 'T-ABS', 'T-ARR']);
    expect(subscribePosts()).toHaveLength(1);
    expect(subscribePosts()[0].data).toEqual({ results: { 'T-PICK': 'accept', 'T-ABS': 'accept', 'T-ARR': 'accept' } });
    expect(subscribePosts()[0].header['Idempotency-Key']).toBeTruthy();
    expect(text(page, '#subscribe-result')).toBe('已开启：孩子已被接走、托管未到、已到托管');
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已开启微信提醒' }));
    expect(text(page, '#subscribe-btn')).toBe('继续开启（还有 1 项）');

    // second tap: the last long-term one, alone
    await tapSubscribe(page);
    expect(subscribe.mock.calls[1][0].tmplIds).toEqual(['T-APP']);

    // third tap: only now the one-time templates
    expect(text(page, '#subscribe-btn')).toBe('再订阅一次提醒');
    await tapSubscribe(page);
    expect(subscribe.mock.calls[2][0].tmplIds).toEqual(['T-LATE', 'T-CLUB']);
    expect(text(page, '#subscribe-enabled')).toContain('接孩子超时');

    subscribe.mock.calls.forEach(([options]) => {
      expect(options.tmplIds.length).toBeGreaterThan(0);
      expect(options.tmplIds.length).toBeLessThanOrEqual(3);
      const kinds = new Set(options.tmplIds.map((id) => LONG_TERM.indexOf(id) >= 0));
      expect(kinds.size).toBe(1); // all long-term or all one-time
    });
  });

test('one-time templates alone are asked for in batches of 3, those with fewest sends left first', async () => {
  const oneTime = ['a', 'b', 'c', 'd'].map((k, i) => ({
    event: `event_${k}`, title: `提醒${k}`, template_id: `O-${k}`, long_term: false, remaining: i === 0 ? 2 : 0,
  }));
  fake.route('GET', '/notifications/templates', { status: 200, body: oneTime });
  fake.route('GET', '/notifications/subscriptions', { status: 200, body: [
    { template_id: 'O-a', event: 'event_a', long_term: false, remaining: 2, last_choice: 'accept' },
  ] });
  fake.route('POST', '/notifications/subscriptions', { status: 200, body: [] });
  const subscribe = fakeSubscribe(() => ({ all: 'accept' }));
  const page = await showHome(GUARDIAN);

  expect(text(page, '#subscribe-enabled')).toBe('已开启：提醒a');
  await tapSubscribe(page);
  expect(subscribe.mock.calls[0][0].tmplIds).toEqual(['O-b', 'O-c', 'O-d']);
});

test('when every long-term template is on and there are no one-time ones, the card says so', async () => {
  const longOnly = TEMPLATES.filter((t) => t.long_term);
  fake.route('GET', '/notifications/templates', { status: 200, body: longOnly });
  subscriptionServer(longOnly.map((t) => ({
    template_id: t.template_id, event: t.event, long_term: true, remaining: 0, last_choice: 'accept',
  })));
  const page = await showHome(GUARDIAN);

  expect(exists(page, '#subscribe-btn')).toBe(false);
  expect(text(page, '#subscribe-done')).toBe('微信提醒已全部开启');
  expect(text(page, '#subscribe-enabled')).toBe('已开启：孩子已被接走、托管未到、已到托管、课后服务申请结果');
});

test('refusing is recorded, and the hint says where to switch it on later', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  fakeSubscribe(() => ({ all: 'reject' }));
  fake.wx.openSetting = jest.fn();
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  expect(subscribePosts()[0].data).toEqual({ results: { 'T-PICK': 'reject', 'T-ABS': 'reject', 'T-ARR': 'reject' } });
  expect(exists(page, '#subscribe-result')).toBe(false);
  expect(text(page, '#subscribe-hint')).toContain('您没有允许微信提醒');
  expect(text(page, '#subscribe-hint')).toContain('「消息」');
  expect(fake.wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '已开启微信提醒' }));
  // nothing was switched on, so the same templates are offered again
  expect(text(page, '#subscribe-btn')).toBe('开启微信提醒');

  page.querySelector('#subscribe-settings').dispatchEvent('tap');
  await flush();
  expect(fake.wx.openSetting).toHaveBeenCalledWith({ withSubscriptions: true });
});

test('a partly accepted popup names what was and was not switched on', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  fakeSubscribe(() => ({ 'T-PICK': 'accept', 'T-ABS': 'reject', 'T-ARR': 'ban' }));
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  expect(subscribePosts()[0].data.results).toEqual({ 'T-PICK': 'accept', 'T-ABS': 'reject', 'T-ARR': 'ban' });
  expect(text(page, '#subscribe-result')).toBe('已开启：孩子已被接走；未开启：托管未到、已到托管');
  expect(text(page, '#subscribe-enabled')).toBe('已开启：孩子已被接走');
  expect(text(page, '#subscribe-btn')).toBe('继续开启（还有 3 项）');
});

test('the main switch off (errCode 20004) gives a clear hint and records nothing', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  fakeSubscribe(() => ({ fail: { errCode: 20004, errMsg: 'requestSubscribeMessage:fail the main switch is switched off' } }));
  fake.wx.openSetting = jest.fn();
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  expect(subscribePosts()).toHaveLength(0);
  expect(text(page, '#subscribe-hint')).toContain('关闭了本小程序的订阅消息总开关');
  expect(text(page, '#subscribe-hint')).toContain('设置');
  expect(exists(page, '#subscribe-settings')).toBe(true);

  // after switching it on in the settings, the same button works
  const subscribe = fakeSubscribe(() => ({ all: 'accept' }));
  await tapSubscribe(page);
  expect(subscribe).toHaveBeenCalledTimes(1);
  expect(exists(page, '#subscribe-hint')).toBe(false);
  expect(text(page, '#subscribe-result')).toContain('已开启');
});

test.each([
  [10005, '没能显示提醒设置窗口'],
  [10003, '网络不给力'],
  [20001, '微信提醒暂时无法开启（错误码 20001）'],
])('a popup failure with errCode %s is explained', async (errCode, expected) => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  fakeSubscribe(() => ({ fail: { errCode, errMsg: 'requestSubscribeMessage:fail' } }));
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  expect(subscribePosts()).toHaveLength(0);
  expect(text(page, '#subscribe-hint')).toContain(expected);
  expect(exists(page, '#subscribe-settings')).toBe(false);
});

test('an old WeChat without requestSubscribeMessage is told to upgrade', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  fake.wx.requestSubscribeMessage = undefined;
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  expect(text(page, '#subscribe-hint')).toContain('请升级微信');
  expect(subscribePosts()).toHaveLength(0);
});

test('when saving the answers fails, the hint says so', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  fake.route('GET', '/notifications/subscriptions', { status: 200, body: [] });
  fake.route('POST', '/notifications/subscriptions', { network: true });
  fakeSubscribe(() => ({ all: 'accept' }));
  const page = await showHome(GUARDIAN);

  await tapSubscribe(page);

  // retried (same Idempotency-Key) before giving up
  const posts = subscribePosts();
  expect(posts).toHaveLength(3);
  expect(new Set(posts.map((p) => p.header['Idempotency-Key'])).size).toBe(1);
  expect(text(page, '#subscribe-hint')).toContain('提醒设置没有保存');
  expect(exists(page, '#subscribe-result')).toBe(false);
});

test('no subscribe card for staff, for a guardian without children, or without configured templates', async () => {
  fake.route('GET', '/notifications/templates', { status: 200, body: TEMPLATES });
  subscriptionServer();
  let page = await showHome(TEACHER);
  expect(exists(page, '#subscribe-card')).toBe(false);
  expect(fake.calls.some((c) => c.path === '/notifications/templates')).toBe(false);

  page = await showHome({ ...GUARDIAN, children: [] });
  expect(exists(page, '#subscribe-card')).toBe(false);

  fake.route('GET', '/notifications/templates', { status: 200, body: [] });
  page = await showHome(GUARDIAN);
  expect(exists(page, '#guardian-section')).toBe(true);
  expect(exists(page, '#subscribe-card')).toBe(false);
});

// ---------- entries ----------

test("each child card links to the child's application and clubs", async () => {
  const page = await showHome(GUARDIAN);

  const cards = page.querySelectorAll('.child');
  expect(cards[0].dom.textContent).toContain('托管申请');
  expect(cards[0].dom.textContent).toContain('社团');

  expect(page.querySelectorAll('.child__action--application')).toHaveLength(2);
  page.querySelectorAll('.child__action--application')[0].dispatchEvent('tap');
  page.querySelectorAll('.child__action--clubs')[1].dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo.mock.calls.map(([options]) => options.url)).toEqual([
    '/pages/application/index?student_id=1',
    '/pages/clubs/index?student_id=2',
  ]);
});

test("each child card's 今天在哪 opens that child's day", async () => {
  const page = await showHome(GUARDIAN);

  expect(page.querySelectorAll('.child__action--day').map((n) => n.dom.textContent.trim())).toEqual(['今天在哪', '今天在哪']);
  page.querySelectorAll('.child__action--day')[1].dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/child-day/index?student_id=2' }));
});

test('work entries with a page open it; the others stay 即将上线', async () => {
  const page = await showHome({
    ...TEACHER,
    roles: ['admin', 'class_head', 'teacher'],
    schools: [{ id: 1, name: '示范小学', roles: ['admin', 'class_head', 'teacher'] }],
  });

  const tapEntry = async (key) => {
    page.querySelector(`.entry--${key}`).dispatchEvent('tap');
    await flush();
  };
  await tapEntry('class-review');
  await tapEntry('approval');
  await tapEntry('plan');
  await tapEntry('my-clubs');
  await tapEntry('groups');
  await tapEntry('calendar');
  await tapEntry('care-today');
  await tapEntry('class-handover');
  expect(fake.wx.navigateTo.mock.calls.map(([options]) => options.url)).toEqual([
    '/pages/review/index', '/pages/approval/index', '/pages/plan/index', '/pages/club-roster/index',
    '/pages/club-admin/index', '/pages/calendar/index', '/pages/sessions/index', '/pages/handover/index',
  ]);
  expect(text(page, '.entry--class-handover')).toContain('放学交接');
  expect(text(page, '.entry--my-clubs')).toContain('我的社团');
  expect(text(page, '.entry--calendar')).toContain('服务日历');
  ['class-review', 'approval', 'plan', 'my-clubs', 'groups', 'calendar', 'care-today', 'class-handover'].forEach((key) => {
    expect(page.querySelector(`.entry--${key}`).dom.className).not.toContain('entry--disabled');
    expect(text(page, `.entry--${key}`)).not.toContain('即将上线');
  });

  // pages not built yet: disabled, a toast, no navigation
  ['class-attendance', 'reports'].forEach((key) => {
    expect(page.querySelector(`.entry--${key}`).dom.className).toContain('entry--disabled');
    expect(text(page, `.entry--${key}`)).toContain('即将上线');
  });
  await tapEntry('reports');
  expect(fake.wx.navigateTo).toHaveBeenCalledTimes(8);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '即将上线，敬请期待' }));
});

test('an entry whose page cannot be opened says so', async () => {
  fake.wx.navigateTo = jest.fn((options) => setTimeout(() => options.fail({ errMsg: 'navigateTo:fail page not found' }), 0));
  const page = await showHome(TEACHER);

  page.querySelector('.entry--class-review').dispatchEvent('tap');
  await flush();

  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/review/index' }));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '该功能暂未开放，请稍后再试' }));
});

test('请假, 请假审批, 临时班 and 看护报名 open their pages', async () => {
  let page = await showHome(GUARDIAN);
  expect(page.querySelectorAll('.child__action--leave').map((n) => n.dom.textContent.trim())).toEqual(['请假', '请假']);
  page.querySelectorAll('.child__action--leave')[1].dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/pages/leave-request/index?student_id=2' }));

  page = await showHome({
    ...TEACHER,
    roles: ['admin', 'class_head', 'teacher'],
    schools: [{ id: 1, name: '示范小学', roles: ['admin', 'class_head', 'teacher'], staff_id: 4 }],
  });
  const opened = [];
  for (const key of ['leave-review', 'care-groups', 'tutor-offer']) {
    expect(page.querySelectorAll(`.entry--${key}`)).toHaveLength(1);
    expect(page.querySelector(`.entry--${key}`).dom.className).not.toContain('entry--disabled');
    page.querySelector(`.entry--${key}`).dispatchEvent('tap');
    await flush();
    opened.push(fake.wx.navigateTo.mock.calls[fake.wx.navigateTo.mock.calls.length - 1][0].url);
  }
  expect(opened).toEqual(['/pages/leave-review/index', '/pages/care-groups/index', '/pages/tutor-offer/index']);
  expect(text(page, '.entry--leave-review')).toContain('请假审批');
  expect(text(page, '.entry--care-groups')).toContain('临时班');
  expect(text(page, '.entry--tutor-offer')).toContain('看护报名');

  // a teacher who is nothing else volunteers too; 请假审批 is the class head's
  page = await showHome({ ...TEACHER, roles: ['teacher'], schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 4 }] });
  expect(exists(page, '.entry--tutor-offer')).toBe(true);
  expect(exists(page, '.entry--leave-review')).toBe(false);
  expect(exists(page, '.entry--care-groups')).toBe(false);
});
