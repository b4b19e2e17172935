const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { TODAY, TEACHER_ME, GUARD_ME, addPhoneApis } = require('../helpers/pickup-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  addPhoneApis(fake.wx);
});

/** LateChildOut. */
function late(overrides = {}) {
  return {
    student_id: 7, name: '张小明', class_name: '三年级2班', photo_url: null, place: '三年级看护1班', end_time: '17:20',
    stage: 'late', stage_label: '超时未接', late_since: `${TODAY}T09:30:00Z`, to_guard_at: null,
    guardians: [{ name: '李娜', relation: '母亲', phone: '13800000001' }, { name: '张伟', relation: '父亲', phone: '' }],
    ...overrides,
  };
}

const WITH_GUARD = late({
  student_id: 9, name: '王小刚', class_name: '五年级1班', place: '门卫室', end_time: '17:30', stage: 'with_guard',
  stage_label: '已交门卫', late_since: `${TODAY}T09:40:00Z`, to_guard_at: `${TODAY}T10:00:00Z`, guardians: [],
});

function routes(profile, answer) {
  fake.route('GET', '/me', { status: 200, body: profile });
  fake.route('GET', '/pickup/late', answer);
}

test('a teacher sees every late child: where, since when, the guardians to call; the filter 已交门卫', async () => {
  routes(TEACHER_ME, (req) => ({ status: 200, body: req.data.stage === 'with_guard' ? [WITH_GUARD] : [late(), WITH_GUARD] }));
  const page = await openPage('pickup-late');

  expect(fake.sent('GET', '/pickup/late')[0].data).toEqual({ school_id: 1 });
  expect(text(page, '#late-7')).toContain('超时未接');
  expect(text(page, '#late-7')).toContain('三年级看护1班');
  expect(text(page, '#late-7')).toContain('17:20 放学，17:30 起超时');
  expect(text(page, '#late-9')).toContain('17:30 放学，18:00 起由门卫看护');
  expect(texts(page, '#late-7 .contact__who')).toEqual(['李娜（母亲）', '张伟（父亲）']);
  expect(text(page, '#late-7')).toContain('未登记电话');
  expect(text(page, '#late-9')).toContain('没有登记可接送的家长电话');

  await tap(page, '#call-7-0');
  expect(fake.wx.makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: '13800000001' }));

  await tap(page, '#stage-with_guard');
  expect(fake.sent('GET', '/pickup/late')[1].data).toEqual({ school_id: 1, stage: 'with_guard' });
  expect(exists(page, '#late-7')).toBe(false);
  expect(exists(page, '#late-9')).toBe(true);
});

test('a masked number (a teacher who is not the class head) is shown without a call button', async () => {
  routes(TEACHER_ME, { status: 200, body: [late({ guardians: [{ name: '李娜', relation: '母亲', phone: '138****0001' }] })] });
  const page = await openPage('pickup-late');

  expect(exists(page, '#call-7-0')).toBe(false);
  expect(text(page, '#phone-7-0')).toContain('138****0001');
  expect(text(page, '#phone-7-0')).toContain('请联系班主任或值班领导拨打');
});

test('the guard\'s list is the children with the guard (stage=with_guard), no filter', async () => {
  routes(GUARD_ME, { status: 200, body: [WITH_GUARD] });
  const page = await openPage('pickup-late');

  expect(fake.sent('GET', '/pickup/late')[0].data).toEqual({ school_id: 1, stage: 'with_guard' });
  expect(exists(page, '#stages')).toBe(false);
  expect(exists(page, '#late-9')).toBe(true);
});

test('扫码放行 opens the scanner page with the camera; 人工核对 opens it on the child', async () => {
  routes(GUARD_ME, { status: 200, body: [WITH_GUARD] });
  const page = await openPage('pickup-late');

  await tap(page, '#scan-btn');
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/pickup-scan/index?scan=1' });
  await tap(page, '#manual-9');
  expect(fake.wx.navigateTo).toHaveBeenLastCalledWith({ url: '/pages/pickup-scan/index?student_id=9' });
});

test('nobody late: said; coming back reads the list again', async () => {
  routes(GUARD_ME, { status: 200, body: [] });
  const page = await openPage('pickup-late');
  expect(text(page, '#no-late')).toBe('门卫室现在没有等待接走的学生。');

  await page.instance.onShow();
  expect(fake.sent('GET', '/pickup/late')).toHaveLength(2);
  expect(fake.sent('GET', '/me')).toHaveLength(1);
});
