const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, text, exists } = require('../helpers/render-page');
const { NOW, DUTY_ME, dutyToday, patrolOut } = require('../helpers/duty-fixtures');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

function routes({ today = dutyToday(), patrol = (req) => ({ status: 201, body: patrolOut({ headcount_seen: req.data.headcount_seen }) }) } = {}) {
  fake.route('GET', '/me', answerOf(DUTY_ME));
  fake.route('GET', '/duty/today', answerOf(today));
  fake.route('POST', '/duty/patrols', answerOf(patrol));
}

const open = (query = { session_id: '12' }) => openPage('patrol', query);

test('the session, the headcount begun at the roll call\'s present count, 教师在岗 是 to begin with, no order chosen', async () => {
  routes();
  const page = await open();

  expect(text(page, '.head__title')).toBe('二年级1班');
  expect(text(page, '#session-counts')).toBe('点名已到 31/30 人 · 已巡查 0/4 次');
  expect(page.instance.data.headcount).toBe(31);
  expect(page.querySelector('#teacher-yes').dom.className).toContain('choice--on');
  expect(page.querySelector('#teacher-no').dom.className).not.toContain('choice--on');
  ['good', 'fair', 'poor'].forEach((k) => expect(page.querySelector(`#order-${k}`).dom.className).not.toContain('choice--on'));
});

test('big − / + and typing change the count (never below 0 nor over 200); 否 and an order; the payload with a key', async () => {
  routes();
  const page = await open();

  await tap(page, '#minus-btn');
  await tap(page, '#minus-btn');
  await tap(page, '#plus-btn');
  expect(page.instance.data.headcount).toBe(30);
  await type(page, '#headcount', '-3');
  expect(page.instance.data.headcount).toBe(0);
  await tap(page, '#minus-btn');
  expect(page.instance.data.headcount).toBe(0);
  await type(page, '#headcount', '999');
  expect(page.instance.data.headcount).toBe(200);
  await type(page, '#headcount', '29');

  await tap(page, '#teacher-no');
  expect(page.querySelector('#teacher-no').dom.className).toContain('choice--on');
  await tap(page, '#order-fair');
  expect(page.querySelector('#order-fair').dom.className).toContain('choice--on');
  await type(page, '#note-input', '  两名学生在走廊  ');
  await tap(page, '#submit-btn');

  const sent = fake.sent('POST', '/duty/patrols');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ session_id: 12, teacher_present: false, headcount_seen: 29, order: 'fair', note: '两名学生在走廊' });
  expect(sent[0].header['Idempotency-Key']).toMatch(UUID_RE);
});

test('no order chosen: said on the field, nothing sent', async () => {
  routes();
  const page = await open();
  await tap(page, '#submit-btn');
  expect(text(page, '#order-error')).toBe('请选择秩序：良好、一般或较差');
  expect(fake.mutations()).toHaveLength(0);
  await tap(page, '#order-good');
  expect(exists(page, '#order-error')).toBe(false);
});

test('saved with the same count: 已记录 and back; 再记一次 starts a new form', async () => {
  routes();
  const page = await open();
  await tap(page, '#order-good');
  await tap(page, '#submit-btn');

  expect(fake.sent('POST', '/duty/patrols')[0].data).toEqual({ session_id: 12, teacher_present: true, headcount_seen: 31, order: 'good' });
  expect(text(page, '#saved-text')).toBe('已记录 16:31 的巡查');
  expect(text(page, '#saved-detail')).toBe('教师在岗 · 看到 31 人 · 秩序良好');
  expect(exists(page, '#headcount-warning')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已记录' }));
  // the session's counts read again
  expect(fake.sent('GET', '/duty/today')).toHaveLength(2);

  await tap(page, '#back-btn');
  expect(fake.wx.navigateBack).toHaveBeenCalled();
  await tap(page, '#again-btn');
  expect(exists(page, '#patrol-form')).toBe(true);
  expect(page.instance.data.order).toBe('');
});

test('a headcount that is not the roll call\'s: the warning after saving', async () => {
  routes({ patrol: { status: 201, body: patrolOut({ headcount_seen: 29, roster_present: 31, headcount_differs: true }) } });
  const page = await open();
  await tap(page, '#minus-btn');
  await tap(page, '#minus-btn');
  await tap(page, '#order-good');
  await tap(page, '#submit-btn');

  expect(text(page, '#headcount-warning')).toBe('⚠ 看到 29 人，点名已到 31 人，人数不一致，请与老师核实');
  expect(fake.wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '已记录' }));
});

test('no answer: the same key on every retry and on the next tap, one patrol recorded', async () => {
  routes();
  fake.route('POST', '/duty/patrols', { network: true }, { network: true }, { network: true }, { status: 201, body: patrolOut() });
  const page = await open();
  await tap(page, '#order-good');
  await tap(page, '#submit-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存：网络不给力，请稍后再试，请再点一次' }));
  expect(exists(page, '#saved')).toBe(false);

  await tap(page, '#submit-btn');
  const keys = fake.sent('POST', '/duty/patrols').map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(exists(page, '#saved')).toBe(true);

  // the next patrol is another request: another key
  await tap(page, '#again-btn');
  await tap(page, '#order-good');
  await tap(page, '#submit-btn');
  const next = fake.sent('POST', '/duty/patrols');
  expect(next[4].header['Idempotency-Key']).not.toBe(keys[0]);
});

test('a refusal (not on duty) in a modal, the form kept; a double tap sends one request', async () => {
  routes({ patrol: { status: 403, body: { error: { code: 'FORBIDDEN', message: '今天不是你值班，不能记录巡查' } } } });
  const page = await open();
  await tap(page, '#order-poor');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await tap(page, '#submit-btn');

  expect(fake.sent('POST', '/duty/patrols')).toHaveLength(1);
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '没有记录', content: '今天不是你值班，不能记录巡查' }));
  expect(exists(page, '#patrol-form')).toBe(true);
  expect(page.instance.data.order).toBe('poor');
});

test('a reload keeps the count typed; a session not on today\'s list and no session at all are said', async () => {
  routes();
  const page = await open();
  await tap(page, '#plus-btn');
  await page.instance.onShow();
  expect(page.instance.data.headcount).toBe(32);

  const gone = await open({ session_id: '99' });
  expect(text(gone, '#load-error')).toContain('今天没有这个场次');
  const none = await open({});
  expect(text(none, '#load-error')).toContain('未找到该场次');
});
