const config = require('../../config/index');
const { TOKEN_KEY } = require('../../services/request');
const { installFakeWx, flush, BASE_URL } = require('../helpers/fake-wx');
const { renderPage, text, exists } = require('../helpers/render-page');

let fake;

beforeEach(() => {
  fake = installFakeWx();
  config.baseUrl = BASE_URL;
  config.devOpenid = '';
  config.networkRetryDelays = [0, 0];
  fake.storage.set(TOKEN_KEY, 'stored-token');
});

const GUARDIAN = {
  account_id: 7,
  name: '王芳',
  roles: ['guardian'],
  schools: [],
  children: [
    { id: 1, name: '李小明', school_id: 1, school_name: '示范小学', class_id: 3, class_name: '三年级(2)班', relation: '妈妈', may_pick_up: true },
    { id: 2, name: '李小红', school_id: 1, school_name: '示范小学', class_id: 1, class_name: '一年级(1)班', relation: '妈妈', may_pick_up: true },
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

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me']);
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

  page.querySelector('.entry').dispatchEvent('tap');
  await flush();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '即将上线，敬请期待' }));
});

test('duty leader and guard get their own entries', async () => {
  const page = await showHome({
    account_id: 9, name: '赵主任', roles: ['duty_leader', 'guard'], children: [],
    schools: [{ id: 1, name: '示范小学', roles: ['duty_leader', 'guard'] }],
  });

  const staff = text(page, '#staff-section');
  expect(staff).toContain('巡查记录');
  expect(staff).toContain('清校确认');
  expect(staff).toContain('迟接登记');
  expect(staff).not.toContain('班级审核');
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
