const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { RULES, rulesAt } = require('../helpers/privacy-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.wx.setNavigationBarTitle = jest.fn();
});

test('the rules section by section, the version and the history', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: { ...RULES, school_name: '示范小学' } });
  const page = await openPage('privacy-rules', { school_id: '1' });

  expect(fake.sent('GET', '/privacy/rules')[0].data).toEqual({ school_id: '1' });
  expect(text(page, '#rules-title')).toBe('课后儿童个人信息处理规则');
  expect(text(page, '#rules-version')).toBe('1.0 版 · 2026-09-01 起施行');
  expect(texts(page, '.rules__title')).toEqual(['一、我们处理哪些信息', '九、联系我们']);
  expect(texts(page, '.rules__line--item')).toEqual(['花名册', '照片']);
  expect(exists(page, '#old-version')).toBe(false);
  expect(exists(page, '#consent')).toBe(false); // reading only
  expect(texts(page, '.versions__row')[0]).toContain('1.0 版（2026-09-01）：首次发布');
});

test('an old version says so, and the current one is a tap away', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: rulesAt('1.0', { current: '2.0' }) });
  const page = await openPage('privacy-rules', { version: '1.0' });

  expect(fake.sent('GET', '/privacy/rules')[0].data).toEqual({ version: '1.0' });
  expect(text(page, '#old-version')).toBe('这是旧版本，当前为 2.0 版');
  await tap(page, '#version-1');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/privacy-rules/index?version=2.0' });
});

test('asking mode: the scopes agreed before are ticked again; agreeing posts the current version and goes back', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: rulesAt('2.0') });
  fake.route('POST', '/privacy/consents', (req) => ({ status: 200, body: { student_id: 7, ...req.data } }));
  const page = await openPage('privacy-rules', { ask: '1', student_id: '7', school_id: '1', name: encodeURIComponent('李小明'), given: 'roster,photo' });

  expect(text(page, '.consent__title')).toBe('为李小明确认（2.0 版）');
  expect(texts(page, '.choice-row--on .choice-row__label')).toEqual(['同意处理“花名册与课后服务信息”（必选）', '同意处理“照片”']);
  await tap(page, '#scope-photo');
  await tap(page, '#scope-notifications');
  await tap(page, '#agree-btn');

  const sent = fake.sent('POST', '/privacy/consents');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ student_id: 7, version: '2.0', scopes: ['roster', 'notifications'] });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('asking mode: without the 花名册 tick nothing is sent', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: rulesAt('2.0') });
  const page = await openPage('privacy-rules', { ask: '1', student_id: '7', given: '' });

  await tap(page, '#scope-photo');
  await tap(page, '#agree-btn');

  expect(text(page, '#consent-error')).toBe('请勾选“花名册与课后服务信息”；不同意请回到「我的」撤回');
  expect(fake.mutations()).toHaveLength(0);
});

test('a failed load shows the error screen and 重新加载', async () => {
  fake.route('GET', '/privacy/rules', { network: true }, { network: true }, { network: true }, { status: 200, body: RULES });
  const page = await openPage('privacy-rules', {});

  expect(text(page, '#load-error')).toContain('网络不给力');
  await tap(page, '#retry-btn');
  expect(text(page, '#rules-title')).toBe('课后儿童个人信息处理规则');
});
