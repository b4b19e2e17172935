const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, pick, text, texts, exists } = require('../helpers/render-page');
const { TODAY, addDays, day, holiday, session } = require('../helpers/attendance-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const SCHOOL = { school_id: 1, school_name: '示范小学' };

/** GET /sessions answers per date: `byDate[date]` = {sessions, days}, else a served day without sessions. */
function serve(byDate = {}) {
  fake.route('GET', '/sessions', (req) => {
    const date = req.data.date;
    const found = byDate[date] || {};
    return {
      status: 200,
      body: { date, sessions: found.sessions || [], days: found.days || [{ ...day(date), ...SCHOOL }] },
    };
  });
}

const TODAYS = [
  session({ id: 1, arrived_count: 2, expected_count: 4, leave_count: 1 }),
  session({
    id: 82, kind: 'club', kind_label: '社团', name: '篮球', room: '篮球场', starts_at: '16:20', ends_at: '17:20',
    teachers: [{ staff_id: 25, name: '李老师' }], serving: false, expected_count: 15, arrived_count: 15, leave_count: 0,
  }),
];

const dates = () => fake.sent('GET', '/sessions').map((c) => c.data.date);

test('today\'s sessions, mine first, with room, times, teachers and the counts', async () => {
  serve({ [TODAY]: { sessions: [TODAYS[1], TODAYS[0]] } });
  const page = await openPage('sessions');

  expect(dates()).toEqual([TODAY]);
  expect(text(page, '#date-title')).toContain('今天');
  expect(exists(page, '#back-today')).toBe(false);
  expect(texts(page, '.session__name')).toEqual(['一年级1班', '篮球']);
  const first = text(page, '#session-1');
  expect(first).toContain('看护班');
  expect(first).toContain('我负责');
  expect(first).toContain('一年级1班教室 · 15:40–16:50');
  expect(first).toContain('老师：黄老师、李老师');
  expect(texts(page, '#session-1 .count__num')).toEqual(['4', '2', '1']);
  expect(texts(page, '#session-1 .count__label')).toEqual(['应到', '已到', '请假']);
  expect(text(page, '#session-82')).toContain('社团');
  expect(text(page, '#session-82')).not.toContain('我负责');
  // all there: the card says so
  expect(page.querySelector('#session-82').dom.className).toContain('session--complete');
  expect(page.querySelector('#session-1').dom.className).not.toContain('session--complete');
  expect(exists(page, '#empty')).toBe(false);
});

test('a tap opens the session\'s roster', async () => {
  serve({ [TODAY]: { sessions: TODAYS } });
  const page = await openPage('sessions');

  await tap(page, '#session-82');

  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/session-roster/index?session_id=82' }));
});

test('each session\'s 看护记录 opens its care log (not the roster)', async () => {
  serve({ [TODAY]: { sessions: TODAYS } });
  const page = await openPage('sessions');

  await tap(page, '#care-log-82');

  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual(['/pages/care-log/index?session_id=82']);
});

test('‹ › and the picker show another day; 回到今天 comes back', async () => {
  const tomorrow = addDays(TODAY, 1);
  serve({ [tomorrow]: { sessions: [session({ id: 5, date: tomorrow, name: '一年级1班' })] } });
  const page = await openPage('sessions');
  expect(text(page, '#empty')).toBe('这一天没有您的托管场次');

  await tap(page, '#next-day');
  expect(dates()).toEqual([TODAY, tomorrow]);
  expect(text(page, '#date-title')).not.toContain('今天');
  expect(texts(page, '.session__name')).toEqual(['一年级1班']);
  expect(exists(page, '#back-today')).toBe(true);

  await tap(page, '#prev-day');
  await tap(page, '#prev-day');
  expect(dates()[3]).toBe(addDays(TODAY, -1));

  await pick(page, '#date-picker', '2026-10-08');
  expect(dates()[4]).toBe('2026-10-08');
  expect(text(page, '#date-title')).toBe('10月8日 周四');

  await tap(page, '#back-today');
  expect(dates()[5]).toBe(TODAY);
  expect(text(page, '#date-title')).toContain('今天');
});

test('a day without service says why, in the calendar\'s words', async () => {
  serve({ '2026-10-01': { days: [{ ...holiday('2026-10-01', '国庆节'), ...SCHOOL }] } });
  const page = await openPage('sessions', { date: '2026-10-01' });

  expect(dates()).toEqual(['2026-10-01']);
  expect(text(page, '#date-title')).toBe('10月1日 周四');
  expect(text(page, '#no-service-1')).toBe('这一天不提供课后服务国庆节');
  expect(exists(page, '#empty')).toBe(false);
  expect(exists(page, '.session')).toBe(false);
});

test('staff of two schools: each school\'s word on the day, the school on each card', async () => {
  serve({
    [TODAY]: {
      sessions: [session({ id: 1 }), session({ id: 9, school_id: 2, name: '三年级合班1' })],
      days: [
        { ...day(TODAY), ...SCHOOL },
        { ...day(TODAY, { kind: 'cancelled', kind_label: '停课', served: false, note: '运动会' }), school_id: 3, school_name: '第三小学' },
        { ...day(TODAY), school_id: 2, school_name: '第二实验小学' },
      ],
    },
  });
  const page = await openPage('sessions');

  expect(text(page, '#no-service-3')).toBe('第三小学：这一天不提供课后服务运动会');
  expect(text(page, '#session-9')).toContain('第二实验小学 · 一年级1班教室 · 15:40–16:50');
  expect(text(page, '#session-1')).toContain('示范小学 · 一年级1班教室');
});

test('a day that fails to load keeps the day on screen and says why', async () => {
  serve({ [TODAY]: { sessions: TODAYS } });
  const page = await openPage('sessions');
  fake.route('GET', '/sessions', { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' } } });

  await tap(page, '#next-day', 40);

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '服务器开小差了，请稍后再试' }));
  expect(text(page, '#date-title')).toContain('今天');
  expect(texts(page, '.session__name')).toEqual(['一年级1班', '篮球']);
});

test('first load failing shows the error; 重新加载, coming back and pull-down read the day again', async () => {
  fake.route('GET', '/sessions', { status: 403, body: { error: { code: 'FORBIDDEN', message: '没有权限进行此操作' } } });
  const page = await openPage('sessions');
  expect(text(page, '#load-error')).toContain('没有权限进行此操作');

  serve({ [TODAY]: { sessions: TODAYS } });
  await tap(page, '#retry-btn');
  expect(texts(page, '.session__name')).toEqual(['一年级1班', '篮球']);

  await page.instance.onShow();
  await page.instance.onPullDownRefresh();
  await flush();
  expect(dates()).toEqual([TODAY, TODAY, TODAY, TODAY]);
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});
