const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { RULES, rulesAt } = require('../helpers/privacy-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.route('GET', '/privacy/rules', { status: 200, body: RULES });
});

/** The bind page, opened as WeChat does (its rules loaded). */
const renderPage = () => openPage('bind');

async function fill(page, { studentNo = '20230101', studentName = '李小明', phone = '13800138000', consent = ['roster'] } = {}) {
  await type(page, '#student-no', studentNo);
  await type(page, '#student-name', studentName);
  await type(page, '#phone', phone);
  for (const scope of consent) await tap(page, `#scope-${scope}`);
}

const submit = (page) => tap(page, '#submit-btn');

const BOUND = { student: { id: 1, name: '李小明', class_name: '三年级(2)班', school_name: '示范小学' }, relation: '妈妈' };

test('empty form: every field says what is missing and nothing is sent', async () => {
  const page = await renderPage();
  await submit(page);

  expect(text(page, '#student-no-error')).toBe('请输入学号');
  expect(text(page, '#student-name-error')).toBe('请输入学生姓名');
  expect(text(page, '#phone-error')).toBe('请输入家长手机号');
  expect(fake.mutations()).toHaveLength(0);
});

test.each(['1380013800', '23800138000', '138001380001', '1380013800a'])('phone %s is refused locally', async (phone) => {
  const page = await renderPage();
  await fill(page, { phone });
  await submit(page);

  expect(text(page, '#phone-error')).toBe('请输入 1 开头的 11 位手机号');
  expect(exists(page, '#student-no-error')).toBe(false);
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#phone', '13800138000'); // typing again clears the error
  expect(exists(page, '#phone-error')).toBe(false);
});

test('a valid form binds the child, says so and goes back home', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  const page = await renderPage();
  await fill(page, { studentNo: ' 20230101 ', phone: '138 0013 8000' });
  await submit(page);

  expect(fake.mutations()).toHaveLength(1);
  const call = fake.mutations()[0];
  expect(call.method).toBe('POST');
  expect(call.path).toBe('/guardians/bind');
  expect(call.data).toEqual({
    student_no: '20230101', student_name: '李小明', phone: '13800138000', consent: { version: '1.0', scopes: ['roster'] },
  });
  expect(call.header.Authorization).toBe('Bearer stored-token');
  expect(call.header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已绑定李小明', icon: 'success' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('when there is no page to go back to, it opens home', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  fake.wx.navigateBack.mockImplementation((options) => options.fail({ errMsg: 'navigateBack:fail' }));
  const page = await renderPage();
  await fill(page);
  await submit(page);

  expect(fake.wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' });
});

test('no match: the server message is shown on the form and as a toast; the page stays', async () => {
  fake.route('POST', '/guardians/bind',
    { status: 400, body: { error: { code: 'BIND_NOT_MATCHED', message: '学号、姓名或手机号与学校登记信息不一致' } } });
  const page = await renderPage();
  await fill(page);
  await submit(page);

  expect(text(page, '#form-error')).toBe('学号、姓名或手机号与学校登记信息不一致');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '学号、姓名或手机号与学校登记信息不一致', icon: 'none' }));
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();
  expect(page.instance.data.submitting).toBe(false);
});

test('too many attempts: rate-limit message shown', async () => {
  fake.route('POST', '/guardians/bind',
    { status: 429, body: { error: { code: 'BIND_RATE_LIMITED', message: '尝试次数过多，请一小时后再试或联系班主任' } } });
  const page = await renderPage();
  await fill(page);
  await submit(page);

  expect(text(page, '#form-error')).toBe('尝试次数过多，请一小时后再试或联系班主任');
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();
});

test('server field errors land on their fields', async () => {
  fake.route('POST', '/guardians/bind', {
    status: 422,
    body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：student_no长度不能超过 30 个字符', fields: { student_no: '长度不能超过 30 个字符' } } },
  });
  const page = await renderPage();
  await fill(page);
  await submit(page);

  expect(text(page, '#student-no-error')).toBe('学号长度不能超过 30 个字符');
  expect(exists(page, '#phone-error')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请检查标红的内容' }));
});

test('a second tap while submitting sends nothing more', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  const page = await renderPage();
  await fill(page);
  page.querySelector('#submit-btn').dispatchEvent('tap');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await flush(10);

  expect(fake.calls.filter((c) => c.path === '/guardians/bind')).toHaveLength(1);
});

// ---------- the processing rules and the consent ticks ----------

test('the rules are shown with a tick per scope, only 花名册 required, none ticked at first', async () => {
  const page = await renderPage();

  expect(fake.sent('GET', '/privacy/rules')[0].header.Authorization).toBeUndefined(); // public, before any login
  expect(text(page, '#rules-title')).toBe('课后儿童个人信息处理规则（1.0 版）');
  expect(texts(page, '.consent__section-title')).toEqual(['一、我们处理哪些信息', '九、联系我们']);
  expect(texts(page, '.choice-row__label')).toEqual([
    '同意处理“花名册与课后服务信息”（必选）', '同意处理“照片”', '同意处理“消息通知”']);
  expect(page.querySelectorAll('.choice-row--on')).toHaveLength(0);

  await tap(page, '#read-rules');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/privacy-rules/index?version=1.0' });
});

test('without the 花名册 tick nothing is sent and the page says why', async () => {
  const page = await renderPage();
  await fill(page, { consent: ['photo', 'notifications'] });
  await submit(page);

  expect(text(page, '#consent-error')).toBe('请阅读规则并勾选“花名册与课后服务信息”，否则无法绑定孩子');
  expect(fake.mutations()).toHaveLength(0);

  await tap(page, '#scope-roster'); // ticking clears it
  expect(exists(page, '#consent-error')).toBe(false);
});

test('each scope is ticked separately and sent with the version read', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  const page = await renderPage();
  await fill(page, { consent: ['notifications', 'roster', 'photo'] });
  await tap(page, '#scope-photo'); // untick one again
  await submit(page);

  expect(fake.sent('POST', '/guardians/bind')[0].data.consent).toEqual({ version: '1.0', scopes: ['roster', 'notifications'] });
});

test('rules changed meanwhile: the new version is loaded, the ticks cleared, and nothing bound', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: RULES }, { status: 200, body: rulesAt('2.0') });
  fake.route('POST', '/guardians/bind', {
    status: 409, body: { error: { code: 'CONSENT_VERSION_STALE', message: '处理规则已更新，请阅读新版本后再确认', current_version: '2.0' } },
  }, { status: 200, body: BOUND });
  const page = await renderPage();
  await fill(page, { consent: ['roster', 'photo'] });
  await submit(page);

  expect(text(page, '#rules-title')).toBe('课后儿童个人信息处理规则（2.0 版）');
  expect(page.querySelectorAll('.choice-row--on')).toHaveLength(0);
  expect(text(page, '#consent-error')).toBe('《儿童个人信息处理规则》刚刚更新，请阅读新版本后重新勾选。');
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();

  await tap(page, '#scope-roster');
  await submit(page);
  expect(fake.sent('POST', '/guardians/bind')[1].data.consent).toEqual({ version: '2.0', scopes: ['roster'] });
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('rules that did not load: binding waits, 重新加载 tries again', async () => {
  fake.route('GET', '/privacy/rules', { network: true }, { network: true }, { network: true }, { status: 200, body: RULES });
  const page = await renderPage();

  expect(text(page, '#rules-error')).toContain('网络不给力');
  await fill(page, { consent: [] });
  await submit(page); // (the button is disabled too) no version read, nothing to agree to
  expect(fake.mutations()).toHaveLength(0);
  await tap(page, '#rules-retry');
  expect(text(page, '#rules-title')).toBe('课后儿童个人信息处理规则（1.0 版）');
});
