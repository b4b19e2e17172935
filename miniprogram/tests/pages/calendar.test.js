/**
 * pages/calendar: the month by kind, a day's timetable, 停课 (reason required) / 加开 (with 按周几课表) / 撤销调整,
 * refusals, who may change what, and the school's settings form.
 */
const { fakeBackendEachTest, setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME, CLASS_HEAD_ME, GUARDIAN_ME, TERMS, apiError } = require('../helpers/enrollment-fixtures');

let fake;
// 2026-04-28 10:00 at school: term 5 (2026-02-20 – 2026-07-10) opens on April
const NOW = Date.UTC(2026, 3, 28, 2, 0, 0);

fakeBackendEachTest(NOW, (f) => { fake = f; });

const TIMETABLE = {
  starts_at: '15:40', homework_ends_at: '16:20', activity_starts_at: '16:20',
  end_times: { low: '17:00', mid: '17:20', high: '17:30' }, winter: false,
};

// What the calendar says before the school changes anything (chinese-calendar's 2026 schedule).
const HOLIDAYS = {
  '2026-04-04': { kind: 'weekend', note: '清明节' },
  '2026-04-05': { kind: 'weekend', note: '清明节' },
  '2026-04-06': { kind: 'holiday', note: '清明节' },
  '2026-05-01': { kind: 'holiday', note: '劳动节' },
  '2026-05-02': { kind: 'weekend', note: '劳动节' },
  '2026-05-03': { kind: 'weekend', note: '劳动节' },
  '2026-05-04': { kind: 'holiday', note: '劳动节' },
  '2026-05-05': { kind: 'holiday', note: '劳动节' },
  '2026-05-09': { kind: 'makeup', note: '调休上班', served: false },
};
const LABELS = {
  regular: '正常服务', holiday: '法定节假日', makeup: '调休上班日', cancelled: '停课', added: '加开', weekend: '周末',
};

function weekdayOf(date) {
  return new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
}

/** One DayOut: a weekday served, a weekend not, then the holiday schedule, then the school's change. */
function dayOut(date, change, leaveCounts) {
  const weekday = weekdayOf(date);
  const base = { kind: weekday <= 5 ? 'regular' : 'weekend', served: weekday <= 5, note: null, ...(HOLIDAYS[date] || {}) };
  if (base.kind === 'holiday' || base.kind === 'weekend') base.served = false;
  let day = { ...base, runs_as_weekday: weekday, change_id: null };
  if (change) {
    day = {
      kind: change.kind === 'add' ? 'added' : 'cancelled', served: change.kind === 'add', note: change.reason,
      runs_as_weekday: change.follows_weekday || weekday, change_id: change.id,
    };
  }
  return {
    date, weekday, kind_label: LABELS[day.kind], ...day,
    timetable: day.served ? { ...TIMETABLE, winter: date >= '2026-11-01' } : null,
    leave_count: day.served ? leaveCounts[date] || 0 : 0,
  };
}

function datesBetween(from, to) {
  const dates = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86400000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * The backend's calendar, kept by this fake: GET answers the range asked from `changes`; POST and DELETE change
 * them as the server does (a change back to what the calendar says undoes it). Returns the state to inspect.
 */
function calendarServer({ changes = {}, warnings = [], leaveCounts = {}, noLeave = false } = {}) {
  const state = { changes: { ...changes }, nextId: 50 };
  fake.route('GET', '/terms/5/calendar', (req) => {
    const days = datesBetween(req.data.from, req.data.to).map((date) => {
      const day = dayOut(date, state.changes[date], leaveCounts);
      if (noLeave) delete day.leave_count;
      return day;
    });
    return { status: 200, body: { term_id: 5, weekdays: [1, 2, 3, 4, 5], service_day_count: days.filter((d) => d.served).length, days, warnings } };
  });
  fake.route('POST', '/terms/5/calendar/changes', (req) => {
    const planned = dayOut(req.data.date, null, {});
    if (planned.served === (req.data.kind === 'add')) {
      if (state.changes[req.data.date]) {
        delete state.changes[req.data.date];
        return { status: 200, body: planned };
      }
      return apiError(409, 'DAY_ALREADY_SO', `该日本来就${planned.served ? '提供服务' : '不提供服务'}`);
    }
    state.nextId += 1;
    state.changes[req.data.date] = { id: state.nextId, ...req.data };
    return { status: 200, body: dayOut(req.data.date, state.changes[req.data.date], {}) };
  });
  fake.route('DELETE', /* any change */ '/calendar-changes/7', () => {
    delete state.changes['2026-04-17'];
    return { status: 204 };
  });
  return state;
}

const RULES = {
  school_id: 1, service_on_makeup_days: false, group_max: 45, class_keeps_group_at: 30, children_per_tutor: 25,
  absence_alert_minutes: 15, leave_cutoff: '14:00',
};

// April as the school keeps it: 运动会 on the 17th (change 7), a Saturday added on the 25th following Friday's timetable.
const APRIL_CHANGES = {
  '2026-04-17': { id: 7, kind: 'cancel', reason: '运动会' },
  '2026-04-25': { id: 8, kind: 'add', reason: '补上运动会', follows_weekday: 5 },
};

function routes({ me = ADMIN_ME, rules = { status: 200, body: RULES }, ...server } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/schools/1/rules', rules);
  return calendarServer({ changes: APRIL_CHANGES, ...server });
}

const showCalendar = (query = {}) => openPage('calendar', query);
const calendarCalls = () => fake.sent('GET', '/terms/5/calendar');
const pickDay = (page, date) => tap(page, `#day-${date}`);
const cellClass = (page, date) => page.querySelector(`#day-${date}`).dom.className;

test('the month: each day by kind, holidays by name, changes with their reasons, the count, the warnings', async () => {
  routes({
    leaveCounts: { '2026-04-28': 3 },
    warnings: ['2026-04-25（周六）提供服务，但未指定按周几课表，当天没有社团和按星期安排的看护教师。'],
  });
  const page = await showCalendar();

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /me', 'GET /schools/1/terms', 'GET /terms/5/calendar', 'GET /schools/1/rules',
  ]);
  // today's month, the whole of it
  expect(calendarCalls()[0].data).toEqual({ from: '2026-04-01', to: '2026-04-30' });
  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(text(page, '#month-label')).toBe('2026年4月');
  // 21 weekdays, less 清明节 and 运动会, plus the Saturday added
  expect(text(page, '#service-count')).toBe('本月服务 21 天');
  expect(text(page, '#plan-weekdays')).toBe('方案服务日：周一至周五');
  expect(texts(page, '.warning')).toEqual(['2026-04-25（周六）提供服务，但未指定按周几课表，当天没有社团和按星期安排的看护教师。']);

  // April 1st is a Wednesday: two blanks first
  expect(texts(page, '.grid__head')).toEqual(['一', '二', '三', '四', '五', '六', '日']);
  expect(page.querySelectorAll('.cell--blank')).toHaveLength(2 + 3);
  expect(page.querySelectorAll('.cell').length % 7).toBe(0);

  expect(cellClass(page, '2026-04-01')).toContain('cell--regular');
  expect(cellClass(page, '2026-04-01')).toContain('cell--served');
  expect(cellClass(page, '2026-04-06')).toContain('cell--holiday');
  expect(cellClass(page, '2026-04-06')).not.toContain('cell--served');
  expect(text(page, '#day-2026-04-06 .cell__tag')).toBe('清明节');
  expect(text(page, '#day-2026-04-05 .cell__tag')).toBe('清明节');
  expect(cellClass(page, '2026-04-11')).toContain('cell--weekend');
  expect(text(page, '#day-2026-04-11 .cell__tag')).toBe('');
  expect(cellClass(page, '2026-04-17')).toContain('cell--cancelled');
  expect(text(page, '#day-2026-04-17 .cell__tag')).toBe('停课');
  expect(cellClass(page, '2026-04-25')).toContain('cell--added');
  expect(cellClass(page, '2026-04-25')).toContain('cell--served');
  expect(text(page, '#day-2026-04-25 .cell__tag')).toBe('加开');
  expect(cellClass(page, '2026-04-28')).toContain('cell--today');
  expect(text(page, '#day-2026-04-28 .cell__leave')).toBe('请假3');
  expect(exists(page, '#day-2026-04-27 .cell__leave')).toBe(false);

  // the month's special days, with the holiday's name and the school's reasons
  expect(texts(page, '.special__date')).toEqual(['4月6日 周一', '4月17日 周五', '4月25日 周六']);
  expect(texts(page, '.special__text')).toEqual(['法定节假日 · 清明节', '停课 · 运动会', '加开 · 补上运动会']);
  expect(exists(page, '#day-detail')).toBe(false);

  // a special day opens from the list too
  await tap(page, '#special-2026-04-17');
  expect(text(page, '#day-title')).toBe('4月17日 周五');
  expect(cellClass(page, '2026-04-17')).toContain('cell--selected');
});

test('the month switcher stays within the term: its first month from its first day, its last to its last', async () => {
  routes();
  const page = await showCalendar();

  await tap(page, '#next-month');
  expect(text(page, '#month-label')).toBe('2026年5月');
  expect(calendarCalls()[1].data).toEqual({ from: '2026-05-01', to: '2026-05-31' });
  expect(cellClass(page, '2026-05-09')).toContain('cell--makeup');
  expect(text(page, '#day-2026-05-09 .cell__tag')).toBe('调休');
  expect(texts(page, '.special__text')).toContain('调休上班日 · 不提供服务');
  expect(texts(page, '.special__text')).toContain('法定节假日 · 劳动节');

  await tap(page, '#next-month');
  await tap(page, '#next-month');
  expect(text(page, '#month-label')).toBe('2026年7月');
  expect(calendarCalls()[3].data).toEqual({ from: '2026-07-01', to: '2026-07-10' });
  // days after the term: shown, not tappable
  expect(cellClass(page, '2026-07-13')).toContain('cell--outside');
  await pickDay(page, '2026-07-13');
  expect(exists(page, '#day-detail')).toBe(false);
  expect(page.querySelector('#next-month').dom.className).toContain('month__nav--off');
  await tap(page, '#next-month');
  expect(calendarCalls()).toHaveLength(4);

  for (let i = 0; i < 5; i += 1) await tap(page, '#prev-month');
  expect(text(page, '#month-label')).toBe('2026年2月');
  expect(calendarCalls()[8].data).toEqual({ from: '2026-02-20', to: '2026-02-28' });
  expect(cellClass(page, '2026-02-19')).toContain('cell--outside');
  expect(page.querySelector('#prev-month').dom.className).toContain('month__nav--off');
  await tap(page, '#prev-month');
  expect(calendarCalls()).toHaveLength(9);
  // the rules are read once
  expect(fake.sent('GET', '/schools/1/rules')).toHaveLength(1);
});

test('a day: its kind, times, children on leave; a winter day says 冬令时; a holiday has no timetable', async () => {
  routes({ leaveCounts: { '2026-04-28': 3 } });
  const page = await showCalendar();

  await pickDay(page, '2026-04-28');
  expect(cellClass(page, '2026-04-28')).toContain('cell--selected');
  expect(text(page, '#day-title')).toBe('4月28日 周二');
  expect(text(page, '#day-kind')).toBe('正常服务');
  expect(text(page, '#day-served')).toBe('提供课后服务');
  expect(text(page, '#day-leave')).toBe('请假 3 人');
  expect(texts(page, '.timetable__row').map((t) => t.replace(/\s+/g, ' '))).toEqual([
    '开始15:40', '作业辅导至16:20', '活动开始16:20', '低年级结束17:00', '中年级结束17:20', '高年级结束17:30',
  ]);
  expect(exists(page, '#winter')).toBe(false);

  // an added Saturday runs Friday's timetable
  await pickDay(page, '2026-04-25');
  expect(text(page, '#day-kind')).toBe('加开');
  expect(text(page, '#day-note')).toBe('原因：补上运动会');
  expect(text(page, '#day-served')).toBe('提供课后服务（按周五课表）');
  expect(text(page, '#day-leave')).toBe('请假 0 人');

  await pickDay(page, '2026-04-06');
  expect(text(page, '#day-kind')).toBe('法定节假日');
  expect(text(page, '#day-note')).toBe('清明节');
  expect(text(page, '#day-served')).toBe('不提供课后服务');
  expect(exists(page, '#timetable')).toBe(false);
  expect(exists(page, '#day-leave')).toBe(false);

  await tap(page, '#day-close');
  expect(exists(page, '#day-detail')).toBe(false);
});

test('冬令时 and no leave count where the server sends none', async () => {
  fake.route('GET', '/me', { status: 200, body: ADMIN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: [{ ...TERMS[1], starts_on: '2026-09-01', ends_on: '2027-01-20' }] });
  fake.route('GET', '/schools/1/rules', { status: 200, body: RULES });
  calendarServer({ noLeave: true });
  jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 24, 2));
  const page = await showCalendar();

  expect(text(page, '#month-label')).toBe('2026年11月');
  await pickDay(page, '2026-11-24');
  expect(text(page, '#winter')).toBe('冬令时');
  expect(exists(page, '#day-leave')).toBe(false);
  expect(exists(page, '.cell__leave')).toBe(false);
});

test('停课: a reason is required, the admin confirms, then the day shows cancelled with its reason and can be undone', async () => {
  const server = routes();
  const page = await showCalendar();
  await pickDay(page, '2026-04-29');
  expect(text(page, '#change-form')).toContain('停课原因');
  expect(exists(page, '#add-btn')).toBe(false);
  expect(exists(page, '#follows-picker')).toBe(false);

  await tap(page, '#cancel-btn');
  expect(text(page, '#reason-error')).toBe('请填写停课原因，例如：运动会');
  expect(fake.mutations()).toHaveLength(0);
  expect(fake.wx.showModal).not.toHaveBeenCalled();

  await type(page, '#reason-input', '  期中考试 ');
  expect(exists(page, '#reason-error')).toBe(false);
  fake.answerModal(false);
  await tap(page, '#cancel-btn');
  expect(fake.wx.showModal.mock.calls[0][0]).toEqual(expect.objectContaining({
    title: '停课', content: '确定 4月29日 周三 停课吗？原因：期中考试。当天不提供课后服务。',
  }));
  expect(fake.mutations()).toHaveLength(0);
  expect(page.instance.data.acting).toBeFalsy();

  fake.answerModal(true);
  await tap(page, '#cancel-btn');
  const posts = fake.sent('POST', '/terms/5/calendar/changes');
  expect(posts).toHaveLength(1);
  expect(posts[0].data).toEqual({ date: '2026-04-29', kind: 'cancel', reason: '期中考试' });
  expect(posts[0].header['Idempotency-Key']).toBeTruthy();
  expect(server.changes['2026-04-29']).toEqual(expect.objectContaining({ kind: 'cancel', reason: '期中考试' }));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已停课' }));

  // reloaded: the same day, now cancelled
  expect(calendarCalls()).toHaveLength(2);
  expect(cellClass(page, '2026-04-29')).toContain('cell--cancelled');
  expect(text(page, '#service-count')).toBe('本月服务 20 天');
  expect(text(page, '#day-kind')).toBe('停课');
  expect(text(page, '#day-note')).toBe('原因：期中考试');
  expect(text(page, '#undo-btn')).toBe('撤销停课');
  expect(exists(page, '#change-form')).toBe(false);
  expect(texts(page, '.special__text')).toContain('停课 · 期中考试');
  expect(page.instance.data.reason).toBe('');
  expect(page.instance.data.acting).toBeFalsy();
});

test('加开: a reason and 按周几课表; a weekend defaults to its own day, a weekday to itself', async () => {
  const server = routes();
  const page = await showCalendar();

  await pickDay(page, '2026-04-18'); // a Saturday
  expect(text(page, '#day-kind')).toBe('周末');
  expect(text(page, '#change-form')).toContain('加开原因');
  expect(text(page, '#follows-value')).toBe('不指定（按当天）');
  expect(page.instance.data.followsOptions.map((o) => o.label)).toEqual([
    '不指定（按当天）', '按周一课表', '按周二课表', '按周三课表', '按周四课表', '按周五课表',
  ]);

  await tap(page, '#add-btn');
  expect(text(page, '#reason-error')).toBe('请填写加开原因，例如：补上运动会停课');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#reason-input', '补上期中考试');
  await pick(page, '#follows-picker', 3);
  expect(text(page, '#follows-value')).toBe('按周三课表');
  await tap(page, '#add-btn');

  // no confirmation for adding a day
  expect(fake.wx.showModal).not.toHaveBeenCalled();
  expect(fake.sent('POST', '/terms/5/calendar/changes')[0].data).toEqual({
    date: '2026-04-18', kind: 'add', reason: '补上期中考试', follows_weekday: 3,
  });
  expect(server.changes['2026-04-18']).toEqual(expect.objectContaining({ kind: 'add', follows_weekday: 3 }));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已加开' }));
  expect(cellClass(page, '2026-04-18')).toContain('cell--added');
  expect(text(page, '#day-served')).toBe('提供课后服务（按周三课表）');
  expect(text(page, '#undo-btn')).toBe('撤销加开');

  // a holiday Monday: its own timetable by default
  await pickDay(page, '2026-04-06');
  expect(text(page, '#follows-value')).toBe('按周一课表');
  expect(page.instance.data.reason).toBe('');
  await type(page, '#reason-input', '学校安排');
  await tap(page, '#add-btn');
  expect(fake.sent('POST', '/terms/5/calendar/changes')[1].data).toEqual({
    date: '2026-04-06', kind: 'add', reason: '学校安排', follows_weekday: 1,
  });
  // left as 不指定, nothing is sent for it
  await pickDay(page, '2026-04-19');
  await type(page, '#reason-input', '试一试');
  await tap(page, '#add-btn');
  expect(fake.sent('POST', '/terms/5/calendar/changes')[2].data).toEqual({ date: '2026-04-19', kind: 'add', reason: '试一试' });
});

test('撤销调整: confirm first; the day is as the calendar says again', async () => {
  const server = routes();
  const page = await showCalendar();
  await pickDay(page, '2026-04-17');
  expect(text(page, '#day-note')).toBe('原因：运动会');
  expect(exists(page, '#change-form')).toBe(false);

  fake.answerModal(false);
  await tap(page, '#undo-btn');
  expect(fake.wx.showModal.mock.calls[0][0]).toEqual(expect.objectContaining({
    title: '撤销停课', content: '确定撤销 4月17日 周五 的停课吗？当天将照常提供课后服务。',
  }));
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#undo-btn');
  const deletes = fake.sent('DELETE', '/calendar-changes/7');
  expect(deletes).toHaveLength(1);
  expect(deletes[0].header['Idempotency-Key']).toBeTruthy();
  expect(server.changes['2026-04-17']).toBeUndefined();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已撤销' }));
  expect(cellClass(page, '2026-04-17')).toContain('cell--regular');
  expect(text(page, '#day-kind')).toBe('正常服务');
  expect(exists(page, '#undo-btn')).toBe(false);
  expect(exists(page, '#cancel-btn')).toBe(true);
  expect(texts(page, '.special__text')).not.toContain('停课 · 运动会');
});

test('refusals: DAY_ALREADY_SO in a modal, a reason refused on the field, anything else as a toast; the page reloads', async () => {
  routes();
  fake.route('POST', '/terms/5/calendar/changes',
    apiError(409, 'DAY_ALREADY_SO', '该日本来就提供服务'),
    apiError(422, 'VALIDATION_ERROR', '输入有误：reason长度不能超过 100 个字符', { reason: '长度不能超过 100 个字符' }),
    apiError(409, 'DATE_OUTSIDE_TERM', '2026-07-11 不在本学期内'),
    apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'));
  const page = await showCalendar();
  fake.answerModal(true);
  await pickDay(page, '2026-04-30');
  await type(page, '#reason-input', '运动会');

  await tap(page, '#cancel-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能调整', content: '该日本来就提供服务' }));
  expect(calendarCalls()).toHaveLength(2);
  expect(page.instance.data.acting).toBeFalsy();

  await tap(page, '#cancel-btn');
  expect(text(page, '#reason-error')).toBe('长度不能超过 100 个字符');
  // what was typed stays for correcting
  expect(page.instance.data.reason).toBe('运动会');

  await tap(page, '#cancel-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能调整', content: '2026-07-11 不在本学期内' }));

  await tap(page, '#cancel-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务器开小差了，请稍后再试' }));
  expect(fake.sent('POST', '/terms/5/calendar/changes')).toHaveLength(4);
  expect(text(page, '#day-kind')).toBe('正常服务');
  expect(page.instance.data.acting).toBeFalsy();
});

test('one change at a time: a second tap while one is on its way sends nothing', async () => {
  routes();
  let release;
  fake.route('POST', '/terms/5/calendar/changes', (req) => new Promise((resolve) => { release = resolve; })
    .then(() => ({ status: 200, body: dayOut(req.data.date, { id: 60, ...req.data }, {}) })));
  const page = await showCalendar();
  fake.answerModal(true);
  await pickDay(page, '2026-04-18');
  await type(page, '#reason-input', '补课');

  page.querySelector('#add-btn').dispatchEvent('tap');
  await flush();
  expect(page.instance.data.acting).toBe('add');
  page.instance.onAddDay();
  page.instance.onUndo();
  await flush();
  expect(fake.mutations()).toHaveLength(1);
  release();
  await flush(20);
  expect(page.instance.data.acting).toBeFalsy();
});

test('staff who are not admins read the calendar: no changes, no settings', async () => {
  routes({ me: CLASS_HEAD_ME, leaveCounts: { '2026-04-28': 2 } });
  const page = await showCalendar();

  expect(fake.sent('GET', '/schools/1/rules')).toHaveLength(0);
  expect(exists(page, '#rules')).toBe(false);
  await pickDay(page, '2026-04-28');
  expect(text(page, '#day-leave')).toBe('请假 2 人');
  expect(exists(page, '#change-form')).toBe(false);
  await pickDay(page, '2026-04-17');
  expect(exists(page, '#undo-btn')).toBe(false);
  await page.instance.onCancelDay();
  await page.instance.onUndo();
  expect(fake.mutations()).toHaveLength(0);
});

test('not school staff, or no published plan: a message; 重新加载 once the plan is out', async () => {
  routes({ me: GUARDIAN_ME });
  let page = await showCalendar();
  expect(text(page, '#load-error')).toContain('仅学校教职工可以查看服务日历');
  expect(calendarCalls()).toHaveLength(0);

  fake = setUpFakeBackend();
  routes();
  fake.route('GET', '/terms/5/calendar', apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示'));
  page = await showCalendar();
  expect(text(page, '#load-error')).toContain('本学期课后服务方案尚未公示');

  calendarServer({ changes: APRIL_CHANGES });
  await tap(page, '#retry-btn');
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#month-label')).toBe('2026年4月');
});

test('a pull-down keeps the month and the day shown; when it fails they stay and a toast says why', async () => {
  const server = routes();
  const page = await showCalendar();
  await tap(page, '#next-month');
  await pickDay(page, '2026-05-06');

  // changed by another admin meanwhile
  server.changes['2026-05-06'] = { id: 70, kind: 'cancel', reason: '教研活动' };
  await page.instance.onPullDownRefresh();
  expect(calendarCalls()[2].data).toEqual({ from: '2026-05-01', to: '2026-05-31' });
  expect(text(page, '#day-note')).toBe('原因：教研活动');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalledTimes(1);

  fake.route('GET', '/terms/5/calendar', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'));
  await page.instance.onPullDownRefresh();
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#month-label')).toBe('2026年5月');
  expect(text(page, '#day-note')).toBe('原因：教研活动');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务器开小差了，请稍后再试' }));

  // a month that fails to load: the month shown stays what it was
  await tap(page, '#next-month');
  expect(text(page, '#month-label')).toBe('2026年5月');
});

test('学校设置: the rules read back, checked as the server checks, saved with PUT; the month reloads', async () => {
  routes();
  let saved = null;
  fake.route('PUT', '/schools/1/rules',
    apiError(422, 'VALIDATION_ERROR', '输入有误：单独成班人数不能超过临时班人数上限', { body: '单独成班人数不能超过临时班人数上限' }),
    (req) => { saved = req.data; return { status: 200, body: { school_id: 1, ...req.data } }; });
  const page = await showCalendar();

  expect(page.querySelector('#makeup-switch')).toBeTruthy();
  expect(page.instance.data.rules).toEqual({
    service_on_makeup_days: false, group_max: '45', class_keeps_group_at: '30', children_per_tutor: '25',
    absence_alert_minutes: '15', leave_cutoff: '14:00',
  });
  expect(text(page, '#cutoff-value')).toBe('14:00');

  // checked here first
  await type(page, '#group-max-input', '8');
  await type(page, '#per-tutor-input', '');
  await type(page, '#absence-input', '121');
  await tap(page, '#save-rules-btn');
  expect(text(page, '#group-max-error')).toBe('临时班人数上限应为 10–80 的整数');
  expect(text(page, '#per-tutor-error')).toBe('请填写每名看护教师对应学生数');
  expect(text(page, '#absence-error')).toBe('未到提醒（分钟）应为 1–120 的整数');
  expect(text(page, '#rules-form-error')).toBe('请按提示修改');
  expect(fake.sent('PUT', '/schools/1/rules')).toHaveLength(0);

  await type(page, '#group-max-input', '28');
  expect(exists(page, '#group-max-error')).toBe(false);
  await type(page, '#per-tutor-input', '20');
  await type(page, '#absence-input', '10');
  await tap(page, '#save-rules-btn');
  expect(text(page, '#class-keeps-error')).toBe('单独成班人数不能超过临时班人数上限');
  expect(fake.sent('PUT', '/schools/1/rules')).toHaveLength(0);

  await type(page, '#class-keeps-input', '25');
  page.querySelector('#makeup-switch').dispatchEvent('change', { detail: { value: true } });
  await flush();
  await pick(page, '#cutoff-picker', '13:30');
  expect(text(page, '#cutoff-value')).toBe('13:30');

  // the server's rule across fields, in its words
  await tap(page, '#save-rules-btn');
  expect(text(page, '#rules-form-error')).toBe('单独成班人数不能超过临时班人数上限');
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  const before = calendarCalls().length;
  await tap(page, '#save-rules-btn');
  const puts = fake.sent('PUT', '/schools/1/rules');
  expect(puts).toHaveLength(2);
  expect(saved).toEqual({
    service_on_makeup_days: true, group_max: 28, class_keeps_group_at: 25, children_per_tutor: 20,
    absence_alert_minutes: 10, leave_cutoff: '13:30',
  });
  expect(puts[1].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存设置' }));
  expect(exists(page, '#rules-form-error')).toBe(false);
  expect(page.instance.data.rules.group_max).toBe('28');
  expect(page.instance.data.savingRules).toBe(false);
  // 调休上班日 may be served now: the month is read again, the rules not
  expect(calendarCalls()).toHaveLength(before + 1);
  expect(fake.sent('GET', '/schools/1/rules')).toHaveLength(1);
});

test('a rule the server refuses shows on its field; a failure without fields above the button and as a toast', async () => {
  routes();
  fake.route('PUT', '/schools/1/rules',
    apiError(422, 'VALIDATION_ERROR', '输入有误：leave_cutoff格式不正确', { leave_cutoff: '格式不正确' }),
    { network: true });
  const page = await showCalendar();

  await tap(page, '#save-rules-btn');
  expect(text(page, '#cutoff-error')).toBe('格式不正确');
  expect(text(page, '#rules-form-error')).toBe('请按提示修改');

  await tap(page, '#save-rules-btn');
  expect(text(page, '#rules-form-error')).toBe('网络不给力，请稍后再试');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
  expect(page.instance.data.savingRules).toBe(false);
});
