const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const {
  NOW, TEACHER_ME, DUTY_ME, ADMIN_ME, sessionRoster, careVersion, careHistory,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

/** A fake care-log server: each PUT a new version, as the backend does. */
function careServer({ profile = TEACHER_ME, versions = [], roster = sessionRoster() } = {}) {
  const state = versions.slice();
  const names = {};
  roster.rows.forEach((r) => { names[r.student_id] = r.name; });
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/sessions/1/roster', answerOf(roster));
  fake.route('GET', '/sessions/1/care-log', () => answerOf(careHistory(state)));
  fake.route('PUT', '/sessions/1/care-log', (req) => {
    const labels = { homework: '作业辅导', reading: '阅读', activity: '活动', club: '社团', other: '其他' };
    state.push(careVersion(state.length + 1, {
      activities: req.data.activities,
      activity_labels: req.data.activities.map((a) => labels[a]),
      summary: req.data.summary,
      child_notes: req.data.child_notes.map((n) => ({ ...n, name: names[n.student_id] })),
      unusual: req.data.unusual || null,
      written_by: '王老师',
    }));
    return { status: 200, body: careHistory(state) };
  });
  return state;
}

const open = () => openPage('care-log', { session_id: '1' });

test('a first log: the session, the empty form, no versions yet', async () => {
  careServer();
  const page = await open();

  expect(text(page, '.head__title')).toBe('一年级1班 · 看护记录');
  expect(text(page, '#session')).toContain('11月24日 周二 · 15:40–16:50 · 一年级1班教室');
  expect(texts(page, '.chip')).toEqual(['作业辅导', '阅读', '活动', '社团', '其他']);
  expect(text(page, '#save-btn')).toBe('保存');
  expect(exists(page, '#no-log')).toBe(true);
  expect(exists(page, '#read-only')).toBe(false);
});

test('chips, summary, notes on children picked from the roster, unusual → PUT with a key; the first version listed', async () => {
  careServer();
  const page = await open();

  await tap(page, '#activity-homework');
  await tap(page, '#activity-club');
  await tap(page, '#activity-club');
  await tap(page, '#activity-reading');
  await type(page, '#summary-input', '  完成数学作业，读绘本  ');
  await tap(page, '#pick-kids');
  expect(texts(page, '#roster >>> .cc__name')).toEqual(['曹一', '张二', '廖三', '吴六']);
  await tap(page, '#roster >>> #kid-2');
  await tap(page, '#roster >>> #kid-3');
  await type(page, '#note-input-2', '作业没写完');
  await type(page, '#note-input-3', '情绪低落，已安慰');
  await tap(page, '#remove-3');
  expect(exists(page, '#note-3')).toBe(false);
  await type(page, '#unusual-input', '无');
  await tap(page, '#save-btn');

  const sent = fake.sent('PUT', '/sessions/1/care-log');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({
    activities: ['homework', 'reading'], summary: '完成数学作业，读绘本', child_notes: [{ student_id: 2, note: '作业没写完' }], unusual: '无',
  });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存（第 1 版）' }));
  expect(texts(page, '.version__title')).toEqual(['第 1 版当前']);
  expect(text(page, '#version-1')).toContain('活动：作业辅导、阅读');
  expect(text(page, '#version-1')).toContain('张二：作业没写完');
  expect(text(page, '#save-btn')).toBe('保存修改（新版本）');
});

test('an amendment begins at the current version; saved as version 2, version 1 kept below it', async () => {
  careServer({ versions: [careVersion(1, { child_notes: [{ student_id: 2, note: '作业没写完', name: '张二' }] })] });
  const page = await open();

  expect(page.instance.data.form.summary).toBe('完成数学作业，读绘本（第 1 版）');
  expect(page.querySelector('#activity-homework').dom.className).toContain('chip--on');
  expect(page.querySelector('#activity-reading').dom.className).toContain('chip--on');
  expect(page.instance.data.form.notes).toEqual([{ id: 2, name: '张二', note: '作业没写完' }]);

  await type(page, '#summary-input', '完成数学作业，读绘本，做了手工');
  await tap(page, '#save-btn');
  expect(fake.sent('PUT', '/sessions/1/care-log')[0].data).toEqual({
    activities: ['homework', 'reading'], summary: '完成数学作业，读绘本，做了手工', child_notes: [{ student_id: 2, note: '作业没写完' }],
  });
  expect(texts(page, '.version__title')).toEqual(['第 2 版当前', '第 1 版']);
  expect(text(page, '#version-2 .version__text')).toBe('完成数学作业，读绘本，做了手工');
  expect(text(page, '#version-1 .version__text')).toBe('完成数学作业，读绘本（第 1 版）');
});

test('local checks: an activity, a summary, a note for each child picked', async () => {
  careServer();
  const page = await open();
  await tap(page, '#pick-kids');
  await tap(page, '#roster >>> #kid-1');
  await tap(page, '#save-btn');
  expect(text(page, '#activities-error')).toBe('请至少选择一项活动');
  expect(text(page, '#summary-error')).toBe('请写下孩子们今天做了什么');
  expect(text(page, '#notes-error')).toBe('请填写曹一的备注，或移除');
  expect(fake.mutations()).toHaveLength(0);
  await tap(page, '#activity-other');
  expect(exists(page, '#activities-error')).toBe(false);
});

test('no answer: the key kept; the next tap makes one version, not two', async () => {
  careServer();
  const page = await open();
  fake.route('PUT', '/sessions/1/care-log', { network: true }, { network: true }, { network: true },
    { status: 200, body: careHistory([careVersion(1)]) });
  await tap(page, '#activity-homework');
  await type(page, '#summary-input', '作业');
  await tap(page, '#save-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存：网络不给力，请稍后再试，请再点一次' }));
  await tap(page, '#save-btn');
  const keys = fake.sent('PUT', '/sessions/1/care-log').map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(texts(page, '.version__title')).toEqual(['第 1 版当前']);
});

test('another teacher saved first: said, the history read again, the form kept', async () => {
  const state = careServer();
  const page = await open();
  fake.route('PUT', '/sessions/1/care-log', () => {
    state.push(careVersion(1, { written_by: '黄老师' }));
    return { status: 409, body: { error: { code: 'CARE_LOG_CHANGED', message: '另一位老师刚保存了看护记录，请刷新后再改' } } };
  });
  await tap(page, '#activity-homework');
  await type(page, '#summary-input', '我的记录');
  await tap(page, '#save-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '另一位老师刚保存了看护记录，请刷新后再改' }));
  expect(text(page, '#version-1')).toContain('黄老师');
  expect(page.instance.data.form.summary).toBe('我的记录');
});

test('the server\'s fields on their field', async () => {
  careServer();
  fake.route('PUT', '/sessions/1/care-log', { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '填写的内容有误', fields: { summary: '太长了' } } } });
  const page = await open();
  await tap(page, '#activity-homework');
  await type(page, '#summary-input', '作业');
  await tap(page, '#save-btn');
  expect(text(page, '#summary-error')).toBe('太长了');
});

test('read only: the duty leader (not teaching it) and a day to come; an admin may write', async () => {
  careServer({ profile: DUTY_ME, versions: [careVersion(1)], roster: sessionRoster({ serving: false }) });
  let page = await open();
  expect(text(page, '#read-only')).toBe('只有本场次的老师可以写看护记录，您可以查看');
  expect(exists(page, '#care-form')).toBe(false);
  expect(texts(page, '.version__title')).toEqual(['第 1 版当前']);

  careServer({ roster: sessionRoster({ date: '2026-11-25' }) });
  page = await open();
  expect(text(page, '#read-only')).toBe('还没到这一天，不能写看护记录');

  careServer({ profile: ADMIN_ME, roster: sessionRoster({ serving: false }) });
  page = await open();
  expect(exists(page, '#care-form')).toBe(true);
});

test('a session that cannot be read: the error screen', async () => {
  careServer();
  fake.route('GET', '/sessions/1/roster', { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限进行此操作' } } });
  const page = await open();
  expect(text(page, '#load-error')).toContain('没有权限进行此操作');
  const none = await openPage('care-log', {});
  expect(text(none, '#load-error')).toContain('未找到该场次');
});
