const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const {
  child, verified, released, GUARDIAN_ADULT, DELEGATE_ADULT, TEACHER_ME, GUARD_ME, addPhoneApis,
} = require('../helpers/pickup-fixtures');

const CODE = 'KHAEAAAAAMNMB7FADMB3X56SBHCK354OI';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  addPhoneApis(fake.wx);
  fake.wx.scanCode.mockImplementation((options) => setTimeout(() => options.success({ result: CODE, scanType: 'QR_CODE' }), 0));
});

const TWO = [
  child(),
  child({ student_id: 9, name: '张小红', class_name: '一年级1班', grade: 1, photo_url: null, place: '一年级看护2班', end_time: '17:00' }),
];

/** Scan (the camera answers CODE) and let the page verify it. */
async function scanned(answer = verified({ children: TWO })) {
  fake.route('POST', '/pickup/verify', typeof answer === 'function' ? answer : { status: 200, body: answer });
  const page = await openPage('pickup-scan');
  await tap(page, '#scan-btn');
  return page;
}

test('扫码 opens the camera only (no album) for QR codes, and verifies what it read', async () => {
  const page = await scanned();

  expect(fake.wx.scanCode).toHaveBeenCalledWith(expect.objectContaining({ onlyFromCamera: true, scanType: ['qrCode'] }));
  const asked = fake.sent('POST', '/pickup/verify');
  expect(asked).toHaveLength(1);
  expect(asked[0].data).toEqual({ code: CODE });
  expect(exists(page, '#verify')).toBe(true);
  expect(text(page, '#adult-line')).toBe('李娜（母亲）');
  expect(exists(page, '#adult-detail')).toBe(false);
  expect(exists(page, '#adult-photo')).toBe(false);
});

test('the adult\'s own photo, when they gave one, next to their name for the teacher to compare', async () => {
  const page = await scanned(verified({ adult: { ...GUARDIAN_ADULT, photo_url: '/api/v1/guardians/21/photo/b.jpg?sig=y' } }));
  expect(exists(page, '#adult-photo')).toBe(true);
  expect(page.instance.data.adultPhoto).toBe('http://api.test/api/v1/guardians/21/photo/b.jpg?sig=y');
});

test('an adult with no child at this school: nothing about them but that, and nothing to confirm', async () => {
  const page = await scanned(verified({ adult: { kind: 'guardian', name: '', relation: '', photo_url: null }, children: [] }));
  expect(text(page, '#adult-line')).toBe('不是本校学生的家长或临时接送人');
  expect(exists(page, '#no-children')).toBe(true);
  expect(exists(page, '#release-btn')).toBe(false);
});

test('each child: photo (or the first character), class, where, end time, status; the ready ones ticked', async () => {
  const page = await scanned(verified({
    children: [
      ...TWO,
      child({ student_id: 11, name: '王小刚', status: 'released', status_label: '已接走', released: released({ student_id: 11 }) }),
      child({ student_id: 12, name: '李小华', status: 'not_authorised', status_label: '无权接走', reason: '学校已登记：此人不得接走该学生' }),
      child({ student_id: 13, name: '赵小兰', late: 'with_guard', place: '门卫室' }),
    ],
  }));

  expect(page.querySelector('#kid-7 >>> .pc__photo').dom.tagName).toBe('WX-IMAGE');
  expect(page.instance.data.cards[0].photo).toBe('http://api.test/api/v1/students/7/photo/a.jpg?sig=x');
  expect(text(page, '#kid-9 >>> .pc__photo--none')).toBe('张');
  expect(text(page, '#kid-7')).toContain('三年级2班');
  expect(text(page, '#kid-7')).toContain('三年级看护1班 · 17:20 放学');
  expect(text(page, '#kid-7 >>> .pc__status')).toBe('可以接走');
  expect(text(page, '#kid-11')).toContain('已由 妈妈（李娜） 17:23 接走，王老师确认');
  expect(text(page, '#kid-12')).toContain('学校已登记：此人不得接走该学生');
  expect(page.querySelector('#kid-12 >>> .pc').dom.className).toContain('pc--danger');
  expect(text(page, '#kid-13')).toContain('门卫看护中');

  const ticked = page.querySelectorAll('.kid--selected').map((n) => n.dom.getAttribute('data-id'));
  expect(ticked).toEqual(['7', '9', '13']);
  expect(text(page, '#release-btn')).toBe('确认接走（3 人）');
  expect(exists(page, '#kid-11 >>> .tick')).toBe(false);
});

test('a delegate: 临时授权：张三（姑姑），由妈妈授权, who granted it and until when', async () => {
  const page = await scanned(verified({ adult: DELEGATE_ADULT, children: [child({ via: 'delegate', relation: '姑姑', authorised_by: '妈妈（李娜）' })] }));

  expect(text(page, '#adult-line')).toBe('临时授权：张三（姑姑），由妈妈授权');
  expect(text(page, '#adult-detail')).toBe('授权人：妈妈（李娜） · 有效期至 11月27日');
  expect(page.querySelector('#adult').dom.className).toContain('adult--delegate');
});

test('确认接走 releases the ticked children with an Idempotency-Key → 已交给 李娜（母亲） 17:23', async () => {
  const page = await scanned();
  fake.route('POST', '/pickup/handoffs', {
    status: 200, body: { released: [released(), released({ student_id: 9, student_name: '张小红' })] },
  });

  await tap(page, '#release-btn');

  const sent = fake.sent('POST', '/pickup/handoffs');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ code: CODE, student_ids: [7, 9] });
  expect(sent[0].header['Idempotency-Key']).toMatch(UUID_RE);
  expect(exists(page, '#done')).toBe(true);
  expect(text(page, '#done-handed')).toBe('已交给 李娜（母亲） 17:23');
  expect(text(page, '#done-names')).toBe('张小明、张小红');
  expect(text(page, '#done-by')).toBe('扫码 · 王老师确认');

  // 继续扫码: the camera again
  await tap(page, '#next-scan');
  expect(fake.wx.scanCode).toHaveBeenCalledTimes(2);
  expect(exists(page, '#verify')).toBe(true);
});

test('untick a child: only the ticked ones are released; a child who is not ready cannot be ticked', async () => {
  const page = await scanned(verified({ children: [...TWO, child({ student_id: 12, name: '李小华', status: 'on_leave', status_label: '今天请假', reason: '今天请假' })] }));
  fake.route('POST', '/pickup/handoffs', { status: 200, body: { released: [released()] } });

  await tap(page, '#kid-9');
  await tap(page, '#kid-12');
  expect(text(page, '#release-btn')).toBe('确认接走（1 人）');
  expect(page.querySelector('#kid-12').dom.className).not.toContain('kid--selected');

  await tap(page, '#release-btn');
  expect(fake.sent('POST', '/pickup/handoffs')[0].data.student_ids).toEqual([7]);
});

test('refused (all or nothing): each child\'s reason on their card, nothing released, the rest can go', async () => {
  const page = await scanned();
  fake.route('POST', '/pickup/handoffs',
    {
      status: 409,
      body: {
        error: {
          code: 'PICKUP_REFUSED',
          message: '有孩子不能交给此人，本次没有交接任何孩子',
          errors: [{ student_id: 9, name: '张小红', code: 'CHILD_ALREADY_RELEASED', message: '已由 爸爸（张伟） 17:21 接走，李老师确认' }],
        },
      },
    },
    { status: 200, body: { released: [released()] } });

  await tap(page, '#release-btn');

  expect(exists(page, '#done')).toBe(false);
  expect(text(page, '#refusal')).toBe('有孩子不能交给此人，本次没有交接任何孩子');
  expect(text(page, '#kid-9 >>> .pc__refusal')).toBe('已由 爸爸（张伟） 17:21 接走，李老师确认');
  expect(page.querySelector('#kid-9').dom.className).not.toContain('kid--selected');
  expect(exists(page, '#kid-9 >>> .tick')).toBe(false);
  expect(text(page, '#release-btn')).toBe('确认接走（1 人）');

  await tap(page, '#kid-9'); // cannot be ticked again
  await tap(page, '#release-btn');
  const sent = fake.sent('POST', '/pickup/handoffs');
  expect(sent[1].data.student_ids).toEqual([7]);
  // another request: another key
  expect(sent[1].header['Idempotency-Key']).not.toBe(sent[0].header['Idempotency-Key']);
  expect(text(page, '#done-names')).toBe('张小明');
});

test('no answer: retried with the same key; tapping again after that still sends the same key, and gets the release', async () => {
  const page = await scanned();
  fake.route('POST', '/pickup/handoffs', { network: true }, { network: true }, { network: true },
    { status: 200, body: { released: [released(), released({ student_id: 9, student_name: '张小红' })] } });

  await tap(page, '#release-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有确认：网络不给力，请稍后再试，请再点一次' }));
  expect(exists(page, '#done')).toBe(false);

  await tap(page, '#release-btn');
  const keys = fake.sent('POST', '/pickup/handoffs').map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(text(page, '#done-names')).toBe('张小明、张小红');
});

test('a code used or expired meanwhile: said, and 重新扫码 scans again', async () => {
  const page = await scanned();
  fake.route('POST', '/pickup/handoffs', {
    status: 409, body: { error: { code: 'PICKUP_CODE_USED', message: '这个接送码已经用过，请家长等新码出现后再扫' } },
  });

  await tap(page, '#release-btn');

  expect(text(page, '#code-problem')).toContain('这个接送码已经用过，请家长等新码出现后再扫');
  expect(exists(page, '#release-btn')).toBe(false);
  await tap(page, '#rescan-btn');
  expect(fake.wx.scanCode).toHaveBeenCalledTimes(2);
  expect(fake.sent('POST', '/pickup/verify')).toHaveLength(2);
  expect(exists(page, '#code-problem')).toBe(false);
  expect(exists(page, '#release-btn')).toBe(true);
});

test('verify refused (expired, revoked…): the server\'s words on the scan screen', async () => {
  const page = await scanned(() => ({
    status: 400, body: { error: { code: 'PICKUP_CODE_EXPIRED', message: '接送码已过期，请家长刷新后再扫' } },
  }));

  expect(exists(page, '#home')).toBe(true);
  expect(text(page, '#scan-error')).toBe('接送码已过期，请家长刷新后再扫');
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

test('not a Kehou code: said at once, nothing asked; closing the camera does nothing', async () => {
  fake.wx.scanCode.mockImplementation((options) => setTimeout(() => options.success({ result: 'https://example.com/x' }), 0));
  const page = await openPage('pickup-scan');
  await tap(page, '#scan-btn');
  expect(text(page, '#scan-error')).toContain('这不是课后接送码');
  expect(fake.calls).toHaveLength(0);

  fake.wx.scanCode.mockImplementation((options) => setTimeout(() => options.fail({ errMsg: 'scanCode:fail cancel' }), 0));
  await tap(page, '#scan-btn');
  expect(exists(page, '#scan-error')).toBe(false);
  expect(fake.calls).toHaveLength(0);
  expect(page.instance.data.scanning).toBe(false);
});

test('?scan=1 (from the late list) opens the camera at once', async () => {
  fake.route('POST', '/pickup/verify', { status: 200, body: verified() });
  const page = await openPage('pickup-scan', { scan: '1' });

  expect(fake.wx.scanCode).toHaveBeenCalledTimes(1);
  expect(exists(page, '#verify')).toBe(true);
});

describe('人工核对 (no phone)', () => {
  const ADULTS = {
    child: child(),
    adults: [
      { kind: 'guardian', guardian_id: 21, delegate_id: null, name: '李娜', relation: '母亲', phone: '13800000001', photo_url: '/api/v1/guardians/21/photo/c.jpg', allowed: true, reason: null, authorised_by: null, valid_from: null, valid_to: null },
      { kind: 'guardian', guardian_id: 22, delegate_id: null, name: '张伟', relation: '父亲', phone: '13800000002', photo_url: null, allowed: false, reason: '学校已登记：此人不得接走该学生', authorised_by: null, valid_from: null, valid_to: null },
      { kind: 'delegate', guardian_id: null, delegate_id: 5, name: '张三', relation: '姑姑', phone: '13900000003', photo_url: null, allowed: true, reason: null, authorised_by: '妈妈（李娜）', valid_from: '2026-11-24', valid_to: '2026-11-27' },
    ],
  };

  function manualRoutes(profile = TEACHER_ME) {
    fake.route('GET', '/me', { status: 200, body: profile });
    fake.route('GET', '/schools/1/students', { status: 200, body: { items: [{ id: 7, name: '张小明', class_name: '三年级2班', student_no: '2023001' }], total: 1, page: 1, page_size: 20 } });
    fake.route('GET', '/pickup/students/7/adults', { status: 200, body: ADULTS });
    fake.route('POST', '/pickup/handoffs/manual', (req) => ({
      status: 200, body: released({ method: 'manual', method_label: '人工核对', note: req.data.note }),
    }));
  }

  test('find the child, pick the adult checked, write how → a manual release with a key', async () => {
    manualRoutes();
    fake.answerModal(true);
    const page = await openPage('pickup-scan');

    await tap(page, '#manual-link');
    await type(page, '#search-input', '张小');
    await tap(page, '#search-btn');
    expect(fake.sent('GET', '/schools/1/students')[0].data).toEqual({ q: '张小', page_size: 20 });
    expect(text(page, '#result-7')).toContain('三年级2班 · 2023001');

    await tap(page, '#result-7');
    expect(text(page, '#manual-child')).toContain('张小明');
    expect(texts(page, '.adult-row__line')).toEqual(['李娜（母亲）', '张伟（父亲）', '临时授权：张三（姑姑），由妈妈授权']);
    expect(text(page, '#adult-g22')).toContain('学校已登记：此人不得接走该学生');
    expect(text(page, '#adult-d5')).toContain('有效期至 11月27日');
    expect(page.instance.data.adults.map((a) => a.photo)).toEqual(['http://api.test/api/v1/guardians/21/photo/c.jpg', '', '']);

    // one who may not take the child cannot be chosen
    await tap(page, '#adult-g22');
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '学校已登记：此人不得接走该学生' }));
    expect(page.querySelector('#adult-g22').dom.className).not.toContain('adult-row--on');

    // the note is required
    await tap(page, '#adult-g21');
    await tap(page, '#manual-release');
    expect(text(page, '#note-error')).toContain('请写明如何核对的');
    expect(fake.mutations()).toHaveLength(0);

    await type(page, '#note', '核对了身份证，家长未带手机');
    await tap(page, '#manual-release');

    expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '把 张小明（三年级2班）交给 李娜（母亲）。' }));
    const sent = fake.sent('POST', '/pickup/handoffs/manual');
    expect(sent).toHaveLength(1);
    expect(sent[0].data).toEqual({ student_id: 7, guardian_id: 21, note: '核对了身份证，家长未带手机' });
    expect(sent[0].header['Idempotency-Key']).toMatch(UUID_RE);
    expect(text(page, '#done-handed')).toBe('已交给 李娜（母亲） 17:23');
    expect(text(page, '#done-by')).toBe('人工核对 · 王老师确认');
  });

  test('?student_id= (the guard, from the late list): the child\'s adults at once, no search; a delegate by delegate_id', async () => {
    manualRoutes(GUARD_ME);
    fake.answerModal(true);
    const page = await openPage('pickup-scan', { student_id: '7' });

    expect(exists(page, '#manual-child')).toBe(true);
    expect(exists(page, '#search-again')).toBe(false);
    await tap(page, '#adult-d5');
    await type(page, '#note', '姑姑出示身份证，与授权一致');
    await tap(page, '#manual-release');

    expect(fake.sent('POST', '/pickup/handoffs/manual')[0].data).toEqual({ student_id: 7, delegate_id: 5, note: '姑姑出示身份证，与授权一致' });
  });

  test('the guard cannot search the school\'s students: told to start from the late list', async () => {
    manualRoutes(GUARD_ME);
    const page = await openPage('pickup-scan');
    await tap(page, '#manual-link');

    expect(exists(page, '#search-input')).toBe(false);
    expect(text(page, '#no-search')).toContain('超时未接');
  });

  test('a child already gone: the release says by whom, and there is nothing to confirm', async () => {
    manualRoutes();
    fake.route('GET', '/pickup/students/7/adults', {
      status: 200, body: { ...ADULTS, child: child({ status: 'released', status_label: '已接走', released: released() }) },
    });
    const page = await openPage('pickup-scan', { student_id: '7' });

    expect(text(page, '#manual-child')).toContain('已由 妈妈（李娜） 17:23 接走，王老师确认');
    expect(exists(page, '#manual-release')).toBe(false);
  });

  test('refused meanwhile (another teacher released the child): the reason in the panel; cancel sends nothing', async () => {
    manualRoutes();
    fake.route('POST', '/pickup/handoffs/manual', {
      status: 409,
      body: { error: { code: 'PICKUP_REFUSED', message: '有孩子不能交给此人', errors: [{ student_id: 7, code: 'CHILD_ALREADY_RELEASED', message: '已由 爸爸（张伟） 17:21 接走，李老师确认' }] } },
    });
    const page = await openPage('pickup-scan', { student_id: '7' });
    await tap(page, '#adult-g21');
    await type(page, '#note', '核对了身份证');

    fake.answerModal(false);
    await tap(page, '#manual-release');
    expect(fake.mutations()).toHaveLength(0);

    fake.answerModal(true);
    await tap(page, '#manual-release');
    expect(text(page, '#manual-error')).toBe('已由 爸爸（张伟） 17:21 接走，李老师确认');
    expect(exists(page, '#done')).toBe(false);
  });
});

// ---------- WeChat's privacy authorisation before the camera ----------

describe('the privacy guide before scanning', () => {
  const { addPrivacyApis } = require('../helpers/fake-privacy');
  const { fire } = require('../helpers/render-page');

  test('not agreed yet: the popup asks first; 同意 → WeChat is told, then the camera opens', async () => {
    const privacy = addPrivacyApis(fake);
    fake.route('POST', '/pickup/verify', { status: 200, body: verified({ children: TWO }) });
    const page = await openPage('pickup-scan');

    await tap(page, '#scan-btn');
    expect(exists(page, '#privacy >>> #privacy-popup')).toBe(true);
    expect(fake.wx.scanCode).not.toHaveBeenCalled();
    await tap(page, '#privacy >>> #privacy-guide'); // the guide itself, one tap away
    expect(fake.wx.openPrivacyContract).toHaveBeenCalledTimes(1);

    await fire(page, '#privacy >>> #agree-privacy-btn', 'agreeprivacyauthorization', {});
    expect(privacy.resolved).toEqual([{ event: 'exposureAuthorization' }, { buttonId: 'agree-privacy-btn', event: 'agree' }]);
    expect(exists(page, '#privacy >>> #privacy-popup')).toBe(false);
    expect(fake.wx.scanCode).toHaveBeenCalledTimes(1);
    expect(exists(page, '#verify')).toBe(true);
  });

  test('不同意: no camera, and the page says why', async () => {
    const privacy = addPrivacyApis(fake);
    const page = await openPage('pickup-scan');

    await tap(page, '#scan-btn');
    await tap(page, '#privacy >>> #disagree-privacy-btn');

    expect(privacy.resolved.pop()).toEqual({ event: 'disagree' });
    expect(fake.wx.scanCode).not.toHaveBeenCalled();
    expect(text(page, '#scan-error')).toBe('需要同意《用户隐私保护指引》后才能使用此功能');
    expect(page.instance.data.scanning).toBe(false);
  });

  test('agreed before: no popup, the camera at once', async () => {
    addPrivacyApis(fake, { agreed: true });
    fake.route('POST', '/pickup/verify', { status: 200, body: verified({ children: TWO }) });
    const page = await openPage('pickup-scan');

    await tap(page, '#scan-btn');

    expect(exists(page, '#privacy >>> #privacy-popup')).toBe(false);
    expect(fake.wx.scanCode).toHaveBeenCalledTimes(1);
  });
});
