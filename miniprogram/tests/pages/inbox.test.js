const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { renderPage, text, exists } = require('../helpers/render-page');

let fake;
// 2025-03-05 18:00 at school (Asia/Shanghai, UTC+8)
const NOW = Date.UTC(2025, 2, 5, 10, 0, 0);

beforeEach(() => {
  fake = setUpFakeBackend();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
  global.getCurrentPages = () => [];
});

function message(id, overrides = {}) {
  return {
    id,
    event: 'arrived',
    title: `消息${id}`,
    body: `内容${id}`,
    page: 'pages/inbox/index',
    created_at: '2025-03-01T08:40:00Z',
    read: true,
    ...overrides,
  };
}

// newest first, as the server sends them
const MESSAGES = [
  message(5, { event: 'picked_up', title: '孩子已被接走', body: '李小明已由 王芳（妈妈）接走 17:23，张老师确认。',
    created_at: '2025-03-05T09:23:00.123456Z', read: false }),
  message(4, { event: 'application_decision', title: '课后服务申请已通过', body: '李小红的课后服务申请已通过。',
    page: 'pages/home/index', created_at: '2025-03-04T01:05:00+00:00', read: false }),
  message(3, { title: '已到托管', created_at: '2025-03-01T08:40:00Z' }),
  message(2, { title: '请假已通过', created_at: '2024-12-30T02:00:00Z', page: null }),
];

function pageOf(items, { total = items.length, unread = items.filter((m) => !m.read).length, page = 1 } = {}) {
  return { status: 200, body: { items, total, page, page_size: 20, unread } };
}

async function openInbox(...responses) {
  fake.route('GET', '/inbox', ...responses);
  const page = renderPage('inbox');
  await page.instance.onLoad();
  return page;
}

async function tap(node) {
  node.dispatchEvent('tap');
  await flush(10);
}

const posts = () => fake.calls.filter((c) => c.method === 'POST').map((c) => c.path);

test('messages are listed newest first, unread ones marked, with school-time dates', async () => {
  const page = await openInbox(pageOf(MESSAGES));

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /inbox']);
  expect(fake.calls[0].data).toEqual({ page: 1, page_size: 20 });
  const cards = page.querySelectorAll('.msg');
  expect(cards.map((c) => c.dom.querySelector('.main--msg__title').textContent))
    .toEqual(['孩子已被接走', '课后服务申请已通过', '已到托管', '请假已通过']);
  expect(cards.map((c) => c.dom.className.indexOf('msg--unread') >= 0)).toEqual([true, true, false, false]);
  expect(page.querySelectorAll('.msg__dot')).toHaveLength(2);
  expect(cards.map((c) => c.dom.querySelector('.main--msg__time').textContent))
    .toEqual(['今天 17:23', '昨天 09:05', '3月1日 16:40', '2024年12月30日']);
  expect(text(page, '.msg')).toContain('李小明已由 王芳（妈妈）接走 17:23');
  expect(text(page, '#unread-count')).toBe('2 条未读');
  expect(exists(page, '#read-all-btn')).toBe(true);
  // only the message pointing elsewhere than the inbox offers details
  expect(cards.map((c) => c.dom.textContent.indexOf('查看详情') >= 0)).toEqual([false, true, false, false]);
});

test('tapping an unread message marks it read and lowers the count; a read one sends nothing', async () => {
  fake.route('POST', '/inbox/5/read', { status: 200, body: { ...MESSAGES[0], read: true } });
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelectorAll('.msg')[0]);

  expect(posts()).toEqual(['/inbox/5/read']);
  expect(fake.calls.find((c) => c.path === '/inbox/5/read').header['Idempotency-Key']).toBeTruthy();
  expect(page.querySelectorAll('.msg')[0].dom.className).toContain('msg--read');
  expect(page.querySelectorAll('.msg__dot')).toHaveLength(1);
  expect(text(page, '#unread-count')).toBe('1 条未读');
  expect(fake.wx.navigateTo).not.toHaveBeenCalled(); // its page is the inbox itself

  await tap(page.querySelectorAll('.msg')[2]);
  expect(posts()).toEqual(['/inbox/5/read']);
  expect(fake.wx.navigateTo).not.toHaveBeenCalled();
});

test("tapping a message with a target page marks it read and opens the page", async () => {
  fake.route('POST', '/inbox/4/read', { status: 200, body: { ...MESSAGES[1], read: true } });
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelectorAll('.msg')[1]);

  expect(posts()).toEqual(['/inbox/4/read']);
  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/home/index' }));
  expect(text(page, '#unread-count')).toBe('1 条未读');
});

test('a target page already open below the inbox is gone back to, not opened twice', async () => {
  fake.route('POST', '/inbox/4/read', { status: 200, body: { ...MESSAGES[1], read: true } });
  global.getCurrentPages = () => [{ route: 'pages/home/index' }, { route: 'pages/inbox/index' }];
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelectorAll('.msg')[1]);

  expect(fake.wx.navigateBack).toHaveBeenCalledWith({ delta: 1 });
  expect(fake.wx.navigateTo).not.toHaveBeenCalled();
});

test('when marking read fails the message shows unread again and the error is shown', async () => {
  fake.route('POST', '/inbox/5/read', { status: 404, body: { error: { code: 'MESSAGE_NOT_FOUND', message: '未找到该消息' } } });
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelectorAll('.msg')[0]);

  expect(page.querySelectorAll('.msg')[0].dom.className).toContain('msg--unread');
  expect(text(page, '#unread-count')).toBe('2 条未读');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '未找到该消息' }));
});

test('全部已读 marks every message read', async () => {
  fake.route('POST', '/inbox/read-all', { status: 200, body: { updated: 2 } });
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelector('#read-all-btn'));

  expect(posts()).toEqual(['/inbox/read-all']);
  expect(page.querySelectorAll('.msg--unread')).toHaveLength(0);
  expect(page.querySelectorAll('.msg__dot')).toHaveLength(0);
  expect(text(page, '#unread-count')).toBe('没有未读消息');
  expect(exists(page, '#read-all-btn')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已全部标为已读' }));
});

test('全部已读 that fails leaves the messages unread and says why', async () => {
  fake.route('POST', '/inbox/read-all', { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' } } });
  const page = await openInbox(pageOf(MESSAGES));

  await tap(page.querySelector('#read-all-btn'));

  expect(page.querySelectorAll('.msg--unread')).toHaveLength(2);
  expect(text(page, '#unread-count')).toBe('2 条未读');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务器开小差了，请稍后再试' }));
});

test('no messages: an empty state, no toolbar', async () => {
  const page = await openInbox(pageOf([]));

  expect(text(page, '#empty')).toContain('暂无消息');
  expect(exists(page, '#read-all-btn')).toBe(false);
  expect(exists(page, '#unread-count')).toBe(false);
  expect(exists(page, '.msg')).toBe(false);
});

test('a failed first load shows the error and a retry that works', async () => {
  const page = await openInbox({ network: true }, { network: true }, { network: true }, pageOf(MESSAGES));

  expect(text(page, '#load-error')).toContain('网络不给力，请稍后再试');
  expect(exists(page, '.msg')).toBe(false);

  await tap(page.querySelector('#retry-btn'));
  expect(exists(page, '#load-error')).toBe(false);
  expect(page.querySelectorAll('.msg')).toHaveLength(4);
});

test('pull-down refresh reloads page 1 with what arrived since', async () => {
  const fresh = message(6, { title: '托管未到', created_at: '2025-03-05T09:50:00Z', read: false });
  const page = await openInbox(pageOf(MESSAGES), pageOf([fresh, ...MESSAGES]));

  await page.instance.onPullDownRefresh();

  expect(fake.calls.filter((c) => c.path === '/inbox').map((c) => c.data.page)).toEqual([1, 1]);
  expect(page.querySelectorAll('.msg')).toHaveLength(5);
  expect(text(page, '.msg')).toContain('托管未到');
  expect(text(page, '#unread-count')).toBe('3 条未读');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('a failed refresh keeps the list and says why', async () => {
  const page = await openInbox(pageOf(MESSAGES), { network: true });

  await page.instance.onPullDownRefresh();

  expect(page.querySelectorAll('.msg')).toHaveLength(4);
  expect(exists(page, '#load-error')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('reaching the bottom loads the next page once, without duplicates, until there is no more', async () => {
  const all = [];
  for (let id = 30; id > 5; id -= 1) all.push(message(id, { read: id > 28 ? false : true }));
  // page 2 starts one early: a new message arrived meanwhile and pushed #11 onto page 2
  const page = await openInbox(
    pageOf(all.slice(0, 20), { total: 25, unread: 2 }),
    pageOf(all.slice(19, 25), { total: 26, unread: 2, page: 2 }),
  );
  expect(page.querySelectorAll('.msg')).toHaveLength(20);
  expect(text(page, '#list-footer')).toBe('上拉加载更多');

  // two quick reach-bottom events send one request
  const first = page.instance.onReachBottom();
  const second = page.instance.onReachBottom();
  await Promise.all([first, second]);

  const inboxCalls = fake.calls.filter((c) => c.path === '/inbox');
  expect(inboxCalls.map((c) => c.data)).toEqual([{ page: 1, page_size: 20 }, { page: 2, page_size: 20 }]);
  const ids = page.querySelectorAll('.msg').map((c) => c.dom.querySelector('.main--msg__title').textContent);
  expect(ids).toHaveLength(25);
  expect(new Set(ids).size).toBe(25);
  expect(ids[24]).toBe('消息6');
  expect(text(page, '#list-footer')).toBe('没有更多消息了');

  await page.instance.onReachBottom();
  expect(fake.calls.filter((c) => c.path === '/inbox')).toHaveLength(2);
});

test('a failed next page can be retried from the footer', async () => {
  const all = [];
  for (let id = 40; id > 15; id -= 1) all.push(message(id));
  const page = await openInbox(
    pageOf(all.slice(0, 20), { total: 25 }),
    { network: true }, { network: true }, { network: true },
    pageOf(all.slice(20), { total: 25, page: 2 }),
  );

  await page.instance.onReachBottom();
  expect(text(page, '#load-more-error')).toBe('网络不给力，请稍后再试，点击重试');
  expect(page.querySelectorAll('.msg')).toHaveLength(20);

  await tap(page.querySelector('#load-more-error'));
  expect(exists(page, '#load-more-error')).toBe(false);
  expect(page.querySelectorAll('.msg')).toHaveLength(25);
  expect(fake.calls.filter((c) => c.path === '/inbox').map((c) => c.data.page)).toEqual([1, 2, 2, 2, 2]);
});

test('after a failed pull-down the list stays and the next page still loads', async () => {
  const all = [];
  for (let id = 40; id > 15; id -= 1) all.push(message(id));
  const page = await openInbox(
    pageOf(all.slice(0, 20), { total: 25 }),
    { network: true }, { network: true }, { network: true },
    pageOf(all.slice(20), { total: 25, page: 2 }),
  );

  await page.instance.onPullDownRefresh();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
  expect(page.querySelectorAll('.msg')).toHaveLength(20);

  await page.instance.onReachBottom();
  expect(page.querySelectorAll('.msg')).toHaveLength(25);
  expect(text(page, '#list-footer')).toBe('没有更多消息了');
});

test('a refresh while the next page is on its way: that page is dropped, and more can be loaded again', async () => {
  const all = [];
  for (let id = 40; id > 15; id -= 1) all.push(message(id));
  const held = [];
  fake.route('GET', '/inbox', (req) => (req.data.page === 2
    ? new Promise((resolve) => held.push(resolve)).then(() => pageOf(all.slice(20), { total: 25, page: 2 }))
    : pageOf(all.slice(0, 20), { total: 25 })));
  const page = renderPage('inbox');
  await page.instance.onLoad();

  const more = page.instance.onReachBottom();
  await flush();
  expect(text(page, '#list-footer')).toBe('正在加载…');
  await page.instance.onPullDownRefresh();
  held[0]();
  await more;
  await flush();
  // page 2 of the list that was replaced would now be out of place
  expect(page.querySelectorAll('.msg')).toHaveLength(20);
  expect(text(page, '#list-footer')).toBe('上拉加载更多');

  const again = page.instance.onReachBottom();
  await flush();
  held[1]();
  await again;
  expect(page.querySelectorAll('.msg')).toHaveLength(25);
  expect(fake.calls.filter((c) => c.path === '/inbox').map((c) => c.data.page)).toEqual([1, 2, 1, 2]);
});
