const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { session } = require('../helpers/attendance-fixtures');
const {
  NOW, TODAY, TEACHER_ME, GUARD_ME, sessionRoster, incidentOut,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

function routes({ profile = TEACHER_ME, report = (req) => ({ status: 201, body: incidentOut({ id: 90, type: req.data.type }) }) } = {}) {
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/sessions/1/roster', answerOf(sessionRoster()));
  fake.route('GET', '/sessions', answerOf({
    date: TODAY,
    sessions: [session({ id: 1, name: '一年级1班', room: '一年级1班教室' }), session({ id: 2, name: '书法', room: '美术教室' })],
    days: [],
  }));
  fake.route('GET', '/schools/1/students', answerOf({ items: [{ id: 7, name: '张小明', class_name: '三年级2班', student_no: '2026302' }], total: 1 }));
  fake.route('POST', '/incidents?school_id=1', answerOf(report));
}

/** Fill the required fields. */
async function fill(page, { kind = 'injury', severity = 'low' } = {}) {
  await tap(page, `#type-${kind}`);
  await tap(page, `#severity-${severity}`);
  await type(page, '#place-input', '操场');
  await type(page, '#description-input', '跑步时摔倒');
  await type(page, '#actions-input', '校医已处理');
}

test('from a session: its room as the place, its roster to pick from; the time is now; no banner', async () => {
  routes();
  const page = await openPage('incident-report', { session_id: '1' });

  expect(page.instance.data.place).toBe('一年级1班教室');
  expect(text(page, '#roster-title')).toBe('一年级1班 的学生');
  expect(texts(page, '#roster >>> .cc__name')).toEqual(['曹一', '张二', '廖三', '吴六']);
  expect(text(page, '#date-value')).toBe('今天');
  expect(text(page, '#time-value')).toBe('16:30');
  expect(exists(page, '#missing-banner')).toBe(false);
  expect(exists(page, '#session-picker')).toBe(false);
});

test('the children picked from the roster and by a search; tapping a picked one takes it out; the payload with a key', async () => {
  routes();
  const page = await openPage('incident-report', { session_id: '1' });
  await fill(page);

  await tap(page, '#roster >>> #kid-2');
  await tap(page, '#roster >>> #kid-3');
  await type(page, '#search-input', 'zxm');
  await tap(page, '#search-btn');
  expect(fake.sent('GET', '/schools/1/students')[0].data).toEqual({ q: 'zxm', page_size: 20 });
  await tap(page, '#found >>> #kid-7');
  expect(texts(page, '#picked >>> .cc__name')).toEqual(['张二', '廖三', '张小明']);
  await tap(page, '#picked >>> #kid-3');
  expect(texts(page, '#picked >>> .cc__name')).toEqual(['张二', '张小明']);
  expect(page.querySelector('#roster >>> #kid-3').dom.className).not.toContain('cc__kid--on');
  expect(page.querySelector('#roster >>> #kid-2').dom.className).toContain('cc__kid--on');

  await tap(page, '#submit-btn');
  const sent = fake.sent('POST', '/incidents?school_id=1');
  expect(sent).toHaveLength(1);
  // the time was not changed: the server's now
  expect(sent[0].data).toEqual({
    type: 'injury', severity: 'low', place: '操场', student_ids: [2, 7], description: '跑步时摔倒', actions_taken: '校医已处理',
  });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已报告' }));
  expect(fake.wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/incident/index?id=90' });
});

test('学生走失: the red banner, a child required; everyone on duty told', async () => {
  routes();
  const page = await openPage('incident-report', { session_id: '1' });
  await fill(page, { kind: 'missing_child', severity: 'high' });
  expect(text(page, '#missing-banner')).toBe('将立即通知所有值班人员');

  await tap(page, '#submit-btn');
  expect(text(page, '#children-error')).toBe('学生走失请选择走失的学生');
  expect(fake.mutations()).toHaveLength(0);

  await tap(page, '#roster >>> #kid-1');
  expect(exists(page, '#children-error')).toBe(false);
  await tap(page, '#submit-btn');
  expect(fake.sent('POST', '/incidents?school_id=1')[0].data).toEqual(expect.objectContaining({ type: 'missing_child', student_ids: [1] }));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已通知所有值班人员' }));
});

test('local checks: type, severity, place, what happened and what was done; a time later than now', async () => {
  routes();
  const page = await openPage('incident-report');
  await tap(page, '#submit-btn');
  expect(text(page, '#type-error')).toBe('请选择类型');
  expect(text(page, '#severity-error')).toBe('请选择程度');
  expect(text(page, '#place-error')).toBe('请填写地点');
  expect(text(page, '#description-error')).toBe('请写下发生了什么');
  expect(text(page, '#actions-error')).toBe('请写下已采取的处理措施');

  await fill(page);
  await pick(page, '#time-picker', '17:10');
  await tap(page, '#submit-btn');
  expect(text(page, '#time-error')).toBe('发生时间不能晚于现在');
  expect(fake.mutations()).toHaveLength(0);
});

test('another time, or yesterday: sent as school time', async () => {
  routes();
  const page = await openPage('incident-report');
  await fill(page);
  await pick(page, '#date-picker', '2026-11-23');
  await pick(page, '#time-picker', '17:40');
  expect(text(page, '#date-value')).toBe('2026-11-23');
  await tap(page, '#submit-btn');
  expect(fake.sent('POST', '/incidents?school_id=1')[0].data.at).toBe('2026-11-23T17:40:00+08:00');
});

test('without a session: today\'s sessions to pick a roster from', async () => {
  routes();
  const page = await openPage('incident-report');
  expect(exists(page, '#session-picker')).toBe(true);
  expect(page.instance.data.sessionOptions).toEqual(['一年级1班（一年级1班教室）', '书法（美术教室）']);
  await pick(page, '#session-picker', '0');
  expect(texts(page, '#roster >>> .cc__name')).toHaveLength(4);
  // an empty place takes the session's room
  expect(page.instance.data.place).toBe('一年级1班教室');
});

test('the server\'s fields on their field; a refusal in a modal', async () => {
  routes({ report: { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '填写的内容有误', fields: { place: '地点太长' } } } } });
  const page = await openPage('incident-report');
  await fill(page);
  await tap(page, '#submit-btn');
  expect(text(page, '#place-error')).toBe('地点太长');

  routes({ report: { status: 404, body: { error: { code: 'STUDENT_NOT_FOUND', message: '未找到该学生' } } } });
  await tap(page, '#submit-btn');
  expect(text(page, '#children-error')).toBe('未找到该学生');

  routes({ report: { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了' } } } });
  await tap(page, '#submit-btn');
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '没有报告', content: '服务器开小差了' }));
  expect(fake.wx.redirectTo).not.toHaveBeenCalled();
});

test('no answer: the key kept, the next tap gets the first answer (one incident)', async () => {
  routes();
  fake.route('POST', '/incidents?school_id=1', { network: true }, { network: true }, { network: true }, { status: 201, body: incidentOut({ id: 91 }) });
  const page = await openPage('incident-report');
  await fill(page);
  await tap(page, '#submit-btn');
  expect(fake.wx.redirectTo).not.toHaveBeenCalled();
  await tap(page, '#submit-btn');
  const keys = fake.sent('POST', '/incidents?school_id=1').map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(fake.wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/incident/index?id=91' });
});

test('the guard reports without a search or sessions; a roster that cannot be read leaves the form usable', async () => {
  routes({ profile: GUARD_ME });
  const guard = await openPage('incident-report');
  expect(exists(guard, '#search-input')).toBe(false);
  expect(exists(guard, '#session-picker')).toBe(false);
  expect(fake.sent('GET', '/sessions')).toHaveLength(0);

  routes();
  fake.route('GET', '/sessions/1/roster', { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限' } } });
  const page = await openPage('incident-report', { session_id: '1' });
  expect(exists(page, '#incident-form')).toBe(true);
  expect(text(page, '#roster-error')).toContain('没能读取场次名单');
});
