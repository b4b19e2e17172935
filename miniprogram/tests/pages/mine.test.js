const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { childConsents } = require('../helpers/privacy-fixtures');

const NOW = Date.UTC(2026, 10, 23, 8, 0); // 16:00 in Shanghai, 2026-11-23

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

const consentsAre = (...answers) => fake.route('GET', '/privacy/consents', ...answers.map((body) => ({ status: 200, body })));

test('each child with each scope, its state and what may be done', async () => {
  consentsAre([childConsents(3, '李小明'), childConsents(4, '李小红', { photo: 'withdrawn', notifications: 'none' })]);
  const page = await openPage('mine');

  expect(texts(page, '.child__name')).toEqual(['李小明', '李小红']);
  expect(texts(page, '#child-3 .scope__status')).toEqual(['已同意', '已同意', '已同意']);
  expect(texts(page, '#child-4 .scope__status')).toEqual(['已同意', '已撤回', '未同意']);
  expect(exists(page, '#withdraw-3-photo')).toBe(true);
  expect(exists(page, '#give-3-photo')).toBe(false);
  expect(exists(page, '#give-4-photo')).toBe(true);
  expect(exists(page, '#withdraw-4-photo')).toBe(false);
  expect(exists(page, '#needed-3')).toBe(false);
  expect(text(page, '#read-rules')).toBe('查看《儿童个人信息处理规则》1.0 版 ›');
});

test('withdrawing photo consent: says what it does first, then withdraws, forgets the kept photo link and reloads', async () => {
  consentsAre([childConsents(3, '李小明')], [childConsents(3, '李小明', { photo: 'withdrawn' })]);
  fake.route('POST', '/privacy/consents/withdraw', { status: 200, body: childConsents(3, '李小明', { photo: 'withdrawn' }) });
  fake.route('GET', '/pickup/my-photo', { status: 200, body: { photo_url: null } });
  fake.storage.set('kehou.myPhoto', 'http://api.test/api/v1/guardians/1/photo/a.png?sig=x');
  fake.answerModal(true);
  const page = await openPage('mine');

  await tap(page, '#withdraw-3-photo');

  const asked = fake.wx.showModal.mock.calls[0][0];
  expect(asked.title).toBe('撤回“照片”的同意？');
  expect(asked.content).toContain('孩子的照片立即删除');
  const sent = fake.sent('POST', '/privacy/consents/withdraw');
  expect(sent.map((c) => c.data)).toEqual([{ student_id: 3, scopes: ['photo'] }]);
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.storage.has('kehou.myPhoto')).toBe(false);
  expect(texts(page, '#child-3 .scope__status')).toEqual(['已同意', '已撤回', '已同意']);
});

test('a cancelled withdrawal sends nothing', async () => {
  consentsAre([childConsents(3, '李小明')]);
  fake.answerModal(false);
  const page = await openPage('mine');

  await tap(page, '#withdraw-3-roster');

  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('解除您在该校与孩子的绑定');
  expect(fake.mutations()).toHaveLength(0);
});

test('withdrawing 花名册 ends the binding: the child is gone and binding is offered', async () => {
  consentsAre([childConsents(3, '李小明')]);
  fake.route('GET', '/privacy/consents', { status: 200, body: [childConsents(3, '李小明')] },
    { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限进行此操作' } } });
  fake.route('POST', '/privacy/consents/withdraw', { status: 200, body: childConsents(3, '李小明', { roster: 'withdrawn' }) });
  fake.route('GET', '/pickup/my-photo', { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限进行此操作' } } });
  fake.storage.set('kehou.myPhoto', 'http://old-link');
  fake.answerModal(true);
  const page = await openPage('mine');

  await tap(page, '#withdraw-3-roster');

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已解除绑定' }));
  expect(exists(page, '#child-3')).toBe(false);
  expect(exists(page, '#no-children')).toBe(true);
  expect(fake.storage.has('kehou.myPhoto')).toBe(false);
  await tap(page, '#bind-btn');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' });
});

test('agreeing to a scope again asks first and sends the current version', async () => {
  consentsAre([childConsents(3, '李小明', { notifications: 'withdrawn' })], [childConsents(3, '李小明')]);
  fake.route('POST', '/privacy/consents', { status: 200, body: childConsents(3, '李小明') });
  fake.answerModal(true);
  const page = await openPage('mine');

  await tap(page, '#give-3-notifications');

  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('《儿童个人信息处理规则》（1.0 版）');
  expect(fake.sent('POST', '/privacy/consents').map((c) => c.data)).toEqual([
    { student_id: 3, version: '1.0', scopes: ['notifications'] }]);
  expect(texts(page, '#child-3 .scope__status')).toEqual(['已同意', '已同意', '已同意']);
});

test('a new rules version: the child asks again, and 阅读并同意 opens the rules with what was agreed ticked', async () => {
  consentsAre([childConsents(3, '李小明', { roster: 'stale', photo: 'stale', notifications: 'withdrawn' }, { version: '2.0' })]);
  const page = await openPage('mine');

  expect(text(page, '#needed-3')).toContain('已更新至 2.0 版');
  expect(texts(page, '#child-3 .scope__status')).toEqual(['待确认新版本', '待确认新版本', '已撤回']);
  expect(exists(page, '#give-3-roster')).toBe(false); // agreed to on the rules page, after reading them
  await tap(page, '#reconsent-3');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({
    url: `/pages/privacy-rules/index?ask=1&student_id=3&school_id=1&name=${encodeURIComponent('李小明')}&given=roster,photo`,
  });
});

test('导出孩子的数据: downloaded with the token, saved, where it is said, and sent to a chat from a tap', async () => {
  consentsAre([childConsents(3, '李小明')]);
  fake.wx.env = { USER_DATA_PATH: 'wxfile://usr' };
  fake.wx.downloadFile = jest.fn((options) => setTimeout(() => options.success({ statusCode: 200, tempFilePath: 'wxfile://tmp/export.zip' }), 0));
  const saveFile = jest.fn((options) => setTimeout(() => options.success({ savedFilePath: options.filePath }), 0));
  fake.wx.getFileSystemManager = () => ({ saveFile });
  fake.wx.shareFileMessage = jest.fn();
  const page = await openPage('mine');

  await tap(page, '#export-3');

  const asked = fake.wx.downloadFile.mock.calls[0][0];
  expect(asked.url).toBe('http://api.test/api/v1/students/3/data-export');
  expect(asked.header.Authorization).toBe('Bearer stored-token');
  expect(saveFile.mock.calls[0][0]).toEqual(expect.objectContaining({
    tempFilePath: 'wxfile://tmp/export.zip', filePath: 'wxfile://usr/孩子数据-李小明-2026-11-23.zip' }));
  expect(text(page, '#export-saved-3')).toContain('已保存：孩子数据-李小明-2026-11-23.zip');
  expect(text(page, '#export-saved-3')).toContain('wxfile://usr/孩子数据-李小明-2026-11-23.zip');

  await tap(page, '#share-export-3');
  expect(fake.wx.shareFileMessage).toHaveBeenCalledWith(expect.objectContaining({
    filePath: 'wxfile://usr/孩子数据-李小明-2026-11-23.zip', fileName: '孩子数据-李小明-2026-11-23.zip' }));
});

test('an export the server refuses is said in a modal with its message (read back from the downloaded file)', async () => {
  consentsAre([childConsents(3, '李小明')]);
  fake.wx.downloadFile = jest.fn((options) => setTimeout(() => options.success({ statusCode: 429, tempFilePath: 'wxfile://tmp/err' }), 0));
  fake.wx.getFileSystemManager = () => ({
    readFileSync: () => JSON.stringify({ error: { code: 'RATE_LIMITED', message: '导出太频繁，请 30 秒后再试' } }),
  });
  const page = await openPage('mine');

  await tap(page, '#export-3');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '没有导出', content: '导出太频繁，请 30 秒后再试' }));
  expect(exists(page, '#export-saved-3')).toBe(false);
});

test('an account with no child: nothing to manage, binding offered', async () => {
  fake.route('GET', '/privacy/consents', { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限进行此操作' } } });
  const page = await openPage('mine');

  expect(exists(page, '#no-children')).toBe(true);
  expect(exists(page, '#load-error')).toBe(false);
});

test('a first load that fails shows the error screen; 重新加载 tries again', async () => {
  fake.route('GET', '/privacy/consents', { network: true }, { network: true }, { network: true },
    { status: 200, body: [childConsents(3, '李小明')] });
  const page = await openPage('mine');

  expect(text(page, '#load-error')).toContain('网络不给力');
  await tap(page, '#retry-btn');
  await flush();
  expect(texts(page, '.child__name')).toEqual(['李小明']);
});
