const { setUpFakeBackend, flush, BASE_URL } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { CLASS_HEAD_ME, TEACHER_ME, DUTY_ME, TODAY, addDays, row, rollCallServer } = require('../helpers/attendance-fixtures');

let fake;
let server;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.answerModal(true);
  // the action sheet answers with the item the test names (null: cancelled)
  fake.sheetChoice = null;
  fake.wx.showActionSheet = jest.fn((options) => setTimeout(() => {
    const index = fake.sheetChoice === null ? -1 : options.itemList.findIndex((t) => t.indexOf(fake.sheetChoice) === 0);
    if (index < 0) options.fail && options.fail({ errMsg: 'showActionSheet:fail cancel' });
    else options.success({ tapIndex: index });
  }, 0));
  fake.wx.setNavigationBarTitle = jest.fn();
});

function serve({ profile = TEACHER_ME, ...options } = {}) {
  fake.route('GET', '/me', { status: 200, body: profile });
  server = rollCallServer(fake, options);
  return server;
}

const open = () => openPage('session-roster', { session_id: '1' });
const puts = () => fake.sent('PUT', '/sessions/1/attendance');
const mark = (page, id) => text(page, `#child-${id} .mark`);

// ---------- rendering ----------

test('看护记录 and 报告突发情况 open the session\'s care log and the incident form with its roster', async () => {
  serve();
  const page = await open();
  await tap(page, '#care-log-btn');
  await tap(page, '#incident-btn');
  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/care-log/index?session_id=1', '/pages/incident-report/index?session_id=1',
  ]);
});

test('the roster: session, counts, photos or a placeholder, class, and every flag', async () => {
  serve();
  const page = await open();

  expect(fake.wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '点名 · 一年级1班' });
  expect(text(page, '#session-info')).toContain('一年级1班教室');
  expect(text(page, '#session-info')).toContain('15:40–16:50');
  expect(text(page, '#session-info')).toContain('老师：黄老师、李老师');
  expect(text(page, '#count-expected')).toBe('4');
  expect(text(page, '#count-arrived')).toBe('0');
  // 廖三 (pending sick leave) is expected but not awaited; 刘四 (early pickup) comes; 陈五 is on leave
  expect(text(page, '#count-waiting')).toBe('3');
  expect(text(page, '#count-leave')).toBe('2');

  expect(texts(page, '#expected .child__name')).toEqual(['曹一', '张二', '廖三', '刘四']);
  expect(texts(page, '#on-leave .child__name')).toEqual(['陈五']);
  expect(texts(page, '#others .child__name')).toEqual(['吴六']);

  // the signed photo link with the API's origin; a placeholder with the family name otherwise
  const origin = BASE_URL.replace(/\/api\/v1$/, '');
  expect(page.querySelector('#child-1 .child__photo').dom.tagName).toBe('WX-IMAGE');
  expect(page.instance.data.sections[0].rows[0].photo).toBe(`${origin}/api/v1/students/1/photo/a.jpg?exp=1&sig=x`);
  expect(text(page, '#child-2 .child__photo--none')).toBe('张');
  expect(text(page, '#child-1 .child__class')).toBe('一年级1班');

  expect(texts(page, '#child-2 .flag')).toEqual(['交接时未到', '已提醒缺席']);
  expect(text(page, '#child-3 .flags')).toBe('待批请假（病假）');
  expect(text(page, '#child-4 .flags')).toBe('提前接走 16:30');
  expect(text(page, '#child-5 .flags')).toBe('请假（病假）');
  expect(text(page, '#child-6 .flags')).toBe('在社团：舞蹈');
  expect(mark(page, 1)).toBe('未点名');
  expect(exists(page, '#read-only')).toBe(false);
  expect(text(page, '#all-present')).toBe('全部到齐（3 人）');
});

test('marks as the server has them: 已到 with the time in school time, 迟到, 缺席; an arrived child loses the alarms', async () => {
  serve({
    rows: [
      row(1, '曹一', { status: 'present', status_label: '已到', arrived_at: `${TODAY}T08:05:00Z` }),
      row(2, '张二', { status: 'late', status_label: '迟到', arrived_at: `${TODAY}T08:20:00Z`, handover_missing: true, absence_alert: true }),
      row(3, '廖三', { status: 'absent', status_label: '缺席', absence_alert: true }),
    ],
  });
  const page = await open();

  expect(mark(page, 1)).toBe('已到 16:05');
  expect(mark(page, 2)).toBe('迟到 16:20');
  expect(mark(page, 3)).toBe('缺席');
  expect(exists(page, '#child-2 .flags')).toBe(false);
  expect(text(page, '#child-3 .flags')).toBe('已提醒缺席');
  expect(text(page, '#count-arrived')).toBe('2');
  expect(text(page, '#count-waiting')).toBe('1');
  // nobody left for 全部到齐 (simulate drops the button's disabled attribute; the page's data has it)
  expect(page.instance.data.allCount).toBe(0);
  expect(text(page, '#all-present')).toBe('全部到齐');
});

test('只看未到 keeps the children still awaited', async () => {
  serve();
  const page = await open();
  await tap(page, '#child-1');

  await tap(page, '#only-waiting');
  expect(texts(page, '#expected .child__name')).toEqual(['张二', '刘四']);
  expect(text(page, '#expected .section__title')).toBe('未到（2）');
  await tap(page, '#only-waiting');
  expect(texts(page, '#expected .child__name')).toEqual(['曹一', '张二', '廖三', '刘四']);
});

// ---------- marking ----------

test('one tap marks a child present: shown at once, then saved with an Idempotency-Key', async () => {
  serve();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const page = await open();
  fake.route('PUT', '/sessions/1/attendance', (req) => held.then(() => {
    Object.assign(server.rows[0], { status: 'present', status_label: '已到', arrived_at: `${TODAY}T08:07:00Z` });
    return { status: 200, body: server.answer() };
  }));

  await tap(page, '#child-1');
  // on screen before the server answered
  expect(mark(page, 1)).toBe('已到');
  expect(page.querySelector('#child-1').dom.className).toContain('child--saving');
  expect(text(page, '#count-arrived')).toBe('1');
  // a second tap while it is on its way does nothing (no sheet, no second PUT)
  await tap(page, '#child-1');
  expect(fake.wx.showActionSheet).not.toHaveBeenCalled();

  release();
  await flush(10);
  expect(puts()).toHaveLength(1);
  expect(puts()[0].data).toEqual([{ student_id: 1, status: 'present' }]);
  expect(puts()[0].header['Idempotency-Key']).toBeTruthy();
  expect(mark(page, 1)).toBe('已到 16:07');
  expect(page.querySelector('#child-1').dom.className).not.toContain('child--saving');
  expect(text(page, '#undo-text')).toBe('曹一 已到');
});

test('tapping a marked child opens the sheet: 迟到 changes the mark, cancelling changes nothing', async () => {
  serve();
  const page = await open();
  await tap(page, '#child-2');
  expect(mark(page, 2)).toBe('已到 16:01');

  fake.sheetChoice = '迟到';
  await tap(page, '#child-2');
  const sheet = fake.wx.showActionSheet.mock.calls[0][0];
  expect(sheet.itemList).toEqual(['已到（当前）', '迟到', '缺席', '请假', '撤销点名']);
  expect(puts()[1].data).toEqual([{ student_id: 2, status: 'late' }]);
  // the arrival time survives the correction
  expect(mark(page, 2)).toBe('迟到 16:01');

  fake.sheetChoice = null;
  await tap(page, '#child-2');
  fake.sheetChoice = '迟到';
  await tap(page, '#child-2'); // the current mark again: nothing to send
  expect(puts()).toHaveLength(2);

  fake.sheetChoice = '撤销点名';
  await tap(page, '#child-2');
  expect(puts()[2].data).toEqual([{ student_id: 2, status: 'unmarked' }]);
  expect(mark(page, 2)).toBe('未点名');
  expect(texts(page, '#child-2 .flag')).toEqual(['交接时未到', '已提醒缺席']);
});

test('taps on several children go one PUT at a time, in order', async () => {
  serve();
  const page = await open();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const real = fake.calls.length;
  fake.route('PUT', '/sessions/1/attendance', (req) => held.then(() => {
    req.data.forEach((m) => Object.assign(server.rows.find((r) => r.student_id === m.student_id),
      { status: m.status, status_label: '已到', arrived_at: `${TODAY}T08:09:00Z` }));
    return { status: 200, body: server.answer() };
  }));

  page.querySelector('#child-1').dispatchEvent('tap');
  page.querySelector('#child-2').dispatchEvent('tap');
  page.querySelector('#child-4').dispatchEvent('tap');
  await flush(10);
  expect(fake.calls.slice(real).filter((c) => c.method === 'PUT')).toHaveLength(1);
  expect(text(page, '#count-arrived')).toBe('3');

  release();
  await flush(20);
  expect(puts().map((c) => c.data[0].student_id)).toEqual([1, 2, 4]);
  expect(text(page, '#count-arrived')).toBe('3');
  expect(text(page, '#undo-text')).toBe('刘四 已到');
});

test('a refusal puts the child back and shows the server\'s message, then reloads', async () => {
  serve();
  const page = await open();
  const reads = fake.sent('GET', '/sessions/1/roster').length;

  await tap(page, '#child-6');

  expect(puts()).toHaveLength(1);
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '没有保存', content: '吴六今天应在「舞蹈」社团。本次点名未保存。', showCancel: false,
  }));
  expect(mark(page, 6)).toBe('未点名');
  expect(exists(page, '#undo-bar')).toBe(false);
  expect(fake.sent('GET', '/sessions/1/roster').length).toBe(reads + 1);
});

test('a mark whose answer is lost is sent again with the same Idempotency-Key', async () => {
  serve();
  const page = await open();
  const saved = fake.calls.length;
  const handler = (req) => {
    Object.assign(server.rows[0], { status: 'present', status_label: '已到', arrived_at: `${TODAY}T08:03:00Z` });
    return { status: 200, body: server.answer() };
  };
  fake.route('PUT', '/sessions/1/attendance', { network: true }, handler);

  await tap(page, '#child-1', 40);

  const sent = fake.calls.slice(saved).filter((c) => c.method === 'PUT');
  expect(sent).toHaveLength(2);
  expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key']);
  expect(mark(page, 1)).toBe('已到 16:03');
});

test('no answer at all: the mark is rolled back, a toast says it was not saved, the roster is read again', async () => {
  serve();
  const page = await open();
  fake.route('PUT', '/sessions/1/attendance', { network: true });

  await tap(page, '#child-1', 60);

  expect(puts()).toHaveLength(3);
  expect(mark(page, 1)).toBe('未点名');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存：网络不给力，请稍后再试' }));
});

// ---------- 全部到齐 and undo ----------

test('全部到齐 asks first, then marks every expected, unmarked child not on leave in one PUT', async () => {
  serve({ rows: [...require('../helpers/attendance-fixtures').rosterRows(), row(7, '马七', { status: 'absent', status_label: '缺席' })] });
  const page = await open();
  await tap(page, '#child-1');

  await tap(page, '#all-present');

  const modal = fake.wx.showModal.mock.calls[0][0];
  expect(modal.title).toBe('全部到齐？');
  expect(modal.content).toBe('将把 2 名还没点名的孩子标为「已到」（请假的 1 人除外）。');
  expect(puts()).toHaveLength(2);
  // 张二 and the early pickup 刘四; not 曹一 (marked), 廖三 (pending leave), 马七 (absent), 陈五, 吴六
  expect(puts()[1].data).toEqual([{ student_id: 2, status: 'present' }, { student_id: 4, status: 'present' }]);
  expect(text(page, '#count-arrived')).toBe('3');
  expect(text(page, '#undo-text')).toBe('全部到齐：2 人已到');
  expect(text(page, '#all-present')).toBe('全部到齐');
});

test('全部到齐 cancelled sends nothing', async () => {
  serve();
  fake.answerModal(false);
  const page = await open();

  await tap(page, '#all-present');

  expect(puts()).toHaveLength(0);
  expect(page.instance.data.allBusy).toBe(false);
});

test('撤销 after 全部到齐 takes every one of those marks back in one PUT', async () => {
  serve();
  const page = await open();
  await tap(page, '#all-present');
  expect(text(page, '#count-arrived')).toBe('3');

  await tap(page, '#undo-btn');

  expect(puts()).toHaveLength(2);
  expect(puts()[1].data).toEqual([
    { student_id: 1, status: 'unmarked' }, { student_id: 2, status: 'unmarked' }, { student_id: 4, status: 'unmarked' },
  ]);
  expect(puts()[1].header['Idempotency-Key']).not.toBe(puts()[0].header['Idempotency-Key']);
  expect(text(page, '#count-arrived')).toBe('0');
  expect(exists(page, '#undo-bar')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已撤销' }));
});

test('撤销 a correction restores the mark it replaced', async () => {
  serve({ rows: [row(1, '曹一', { status: 'absent', status_label: '缺席' })] });
  const page = await open();

  fake.sheetChoice = '已到';
  await tap(page, '#child-1');
  expect(text(page, '#undo-text')).toBe('曹一 已到');
  await tap(page, '#undo-btn');

  expect(puts()[1].data).toEqual([{ student_id: 1, status: 'absent' }]);
  expect(mark(page, 1)).toBe('缺席');
});

test('an undo the server refuses keeps the bar, to try again', async () => {
  serve();
  const page = await open();
  await tap(page, '#child-1');
  server.refuse[1] = ['SESSION_NOT_HELD', '该场次当天已停开，不能点名'];
  fake.route('PUT', '/sessions/1/attendance', { status: 409, body: { error: { code: 'SESSION_NOT_HELD', message: '该场次当天已停开，不能点名' } } });

  await tap(page, '#undo-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '该场次当天已停开，不能点名' }));
  expect(text(page, '#undo-text')).toBe('曹一 已到');
  expect(mark(page, 1)).toBe('已到 16:01');
});

// ---------- who may mark, reloading ----------

test('a class head who does not serve the session only reads it', async () => {
  serve({ profile: CLASS_HEAD_ME, sessionOverrides: { serving: false } });
  const page = await open();

  expect(text(page, '#read-only')).toBe('您不是本场次的老师，只能查看本班的孩子');
  expect(exists(page, '#all-present')).toBe(false);
  await tap(page, '#child-1');
  expect(puts()).toHaveLength(0);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '您不是本场次的老师，只能查看本班的孩子' }));
});

test('a duty leader marks any session of the school; nobody marks a day still to come', async () => {
  serve({ profile: DUTY_ME, sessionOverrides: { serving: false } });
  let page = await open();
  expect(exists(page, '#read-only')).toBe(false);
  await tap(page, '#child-1');
  expect(puts()).toHaveLength(1);

  serve({ sessionOverrides: { date: addDays(TODAY, 2) } });
  page = await open();
  expect(text(page, '#read-only')).toBe('还没到这一天，只能查看名单，不能点名');
  expect(exists(page, '#all-present')).toBe(false);
});

test('pull-down reads the roster again and keeps the screen', async () => {
  serve();
  const page = await open();
  server.rows[0].status = 'present';
  server.rows[0].arrived_at = `${TODAY}T08:30:00Z`;

  await page.instance.onPullDownRefresh();

  expect(fake.sent('GET', '/sessions/1/roster')).toHaveLength(2);
  expect(fake.sent('GET', '/me')).toHaveLength(1);
  expect(mark(page, 1)).toBe('已到 16:30');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('a roster that fails to load shows the error and 重新加载', async () => {
  fake.route('GET', '/me', { status: 200, body: TEACHER_ME });
  fake.route('GET', '/sessions/1/roster', { status: 404, body: { error: { code: 'SESSION_NOT_FOUND', message: '未找到该场次' } } });
  const page = await open();

  expect(text(page, '#load-error')).toContain('未找到该场次');
  serve();
  await tap(page, '#retry-btn');
  expect(texts(page, '#expected .child__name')).toHaveLength(4);
});
