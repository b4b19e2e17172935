const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, type, text, exists } = require('../helpers/render-page');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const ACCEPTED = {
  id: 5, student_id: 7, student_name: '张小明', school_name: '示范小学', name: '张三', phone: '13900000003', relation: '姑姑',
  from: '2026-11-24', to: '2026-11-27', granted_by: '妈妈（李娜）', status: 'accepted', status_label: '已生效',
  invite_code: null, invite_path: null,
};

test('the shared invitation: the phone given by the guardian → accepted with the code → the 接送码 page', async () => {
  fake.route('POST', '/pickup/delegates/accept', { status: 200, body: ACCEPTED });
  const page = await openPage('delegate-accept', { code: 'ABCD2EFG3HIJ' });

  await tap(page, '#accept-btn');
  expect(text(page, '#phone-error')).toBe('请输入家长登记的您的手机号');
  await type(page, '#phone', '12345');
  await tap(page, '#accept-btn');
  expect(text(page, '#phone-error')).toBe('请输入 1 开头的 11 位手机号');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#phone', '139-0000-0003');
  await tap(page, '#accept-btn');

  const sent = fake.sent('POST', '/pickup/delegates/accept');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ invite_code: 'ABCD2EFG3HIJ', phone: '13900000003' });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已确认，可以接张小明了' }));
  expect(fake.wx.redirectTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/pickup-code/index' }));
});

test.each([
  [404, 'DELEGATE_INVITE_INVALID', '邀请码或手机号不对，请向孩子家长确认'],
  [409, 'DELEGATE_INVITE_CLOSED', '这份临时授权已撤销或已过期'],
  [409, 'DELEGATE_INVITE_USED', '这份邀请已被其他微信账号使用'],
])('%s %s: said on the form, no page change', async (status, code, message) => {
  fake.route('POST', '/pickup/delegates/accept', { status, body: { error: { code, message } } });
  const page = await openPage('delegate-accept', { code: 'ABCD2EFG3HIJ' });
  await type(page, '#phone', '13900000003');
  await tap(page, '#accept-btn');

  expect(text(page, '#form-error')).toBe(message);
  expect(fake.wx.redirectTo).not.toHaveBeenCalled();
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

test('a link without its code says so and cannot be sent', async () => {
  const page = await openPage('delegate-accept', {});
  expect(text(page, '#form-error')).toContain('邀请链接不完整');
  await type(page, '#phone', '13900000003');
  await page.instance.onAccept();
  expect(fake.calls).toHaveLength(0);
  expect(exists(page, '#accept-btn')).toBe(true);
});
