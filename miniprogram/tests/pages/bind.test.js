const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { renderPage, tap, type, text, exists } = require('../helpers/render-page');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

async function fill(page, { studentNo = '20230101', studentName = '李小明', phone = '13800138000' } = {}) {
  await type(page, '#student-no', studentNo);
  await type(page, '#student-name', studentName);
  await type(page, '#phone', phone);
}

const submit = (page) => tap(page, '#submit-btn');

const BOUND = { student: { id: 1, name: '李小明', class_name: '三年级(2)班', school_name: '示范小学' }, relation: '妈妈' };

test('empty form: every field says what is missing and nothing is sent', async () => {
  const page = renderPage('bind');
  await submit(page);

  expect(text(page, '#student-no-error')).toBe('请输入学号');
  expect(text(page, '#student-name-error')).toBe('请输入学生姓名');
  expect(text(page, '#phone-error')).toBe('请输入家长手机号');
  expect(fake.calls).toHaveLength(0);
});

test.each(['1380013800', '23800138000', '138001380001', '1380013800a'])('phone %s is refused locally', async (phone) => {
  const page = renderPage('bind');
  await fill(page, { phone });
  await submit(page);

  expect(text(page, '#phone-error')).toBe('请输入 1 开头的 11 位手机号');
  expect(exists(page, '#student-no-error')).toBe(false);
  expect(fake.calls).toHaveLength(0);

  await type(page, '#phone', '13800138000'); // typing again clears the error
  expect(exists(page, '#phone-error')).toBe(false);
});

test('a valid form binds the child, says so and goes back home', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  const page = renderPage('bind');
  await fill(page, { studentNo: ' 20230101 ', phone: '138 0013 8000' });
  await submit(page);

  expect(fake.calls).toHaveLength(1);
  const call = fake.calls[0];
  expect(call.method).toBe('POST');
  expect(call.path).toBe('/guardians/bind');
  expect(call.data).toEqual({ student_no: '20230101', student_name: '李小明', phone: '13800138000' });
  expect(call.header.Authorization).toBe('Bearer stored-token');
  expect(call.header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已绑定李小明', icon: 'success' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('when there is no page to go back to, it opens home', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  fake.wx.navigateBack.mockImplementation((options) => options.fail({ errMsg: 'navigateBack:fail' }));
  const page = renderPage('bind');
  await fill(page);
  await submit(page);

  expect(fake.wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' });
});

test('no match: the server message is shown on the form and as a toast; the page stays', async () => {
  fake.route('POST', '/guardians/bind',
    { status: 400, body: { error: { code: 'BIND_NOT_MATCHED', message: '学号、姓名或手机号与学校登记信息不一致' } } });
  const page = renderPage('bind');
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
  const page = renderPage('bind');
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
  const page = renderPage('bind');
  await fill(page);
  await submit(page);

  expect(text(page, '#student-no-error')).toBe('学号长度不能超过 30 个字符');
  expect(exists(page, '#phone-error')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请检查标红的内容' }));
});

test('a second tap while submitting sends nothing more', async () => {
  fake.route('POST', '/guardians/bind', { status: 200, body: BOUND });
  const page = renderPage('bind');
  await fill(page);
  page.querySelector('#submit-btn').dispatchEvent('tap');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await flush(10);

  expect(fake.calls.filter((c) => c.path === '/guardians/bind')).toHaveLength(1);
});
