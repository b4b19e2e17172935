const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, text, exists } = require('../helpers/render-page');
const { TODAY, addDays, day, holiday, leave } = require('../helpers/attendance-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.wx.setNavigationBarTitle = jest.fn();
});

const PLACE = {
  kind: 'care_group', label: '一年级1班', session_id: 1, room: '一年级1班教室', starts_at: '15:40', ends_at: '16:50',
  teachers: ['李老师', '黄老师'],
};

/** GET /students/3/day (ChildDayOut): in the care group today, not yet arrived, unless told otherwise. */
function childDay(overrides = {}) {
  const date = overrides.date || TODAY;
  return {
    student_id: 3, student_name: '曹小书', date, day: day(date), place: PLACE, attendance: null, leave: null,
    handover: { status: 'pending', label: '班主任尚未交接', confirmed_at: null }, absence_alert: false, ...overrides,
  };
}

function serve(answer = childDay()) {
  fake.route('GET', '/students/3/day', typeof answer === 'function' ? answer : { status: 200, body: answer });
}

const open = (query = { student_id: '3' }) => openPage('child-day', query);

test('where the child should be today: place, room, times, teachers; not arrived yet; handover pending', async () => {
  serve();
  const page = await open();

  expect(fake.sent('GET', '/students/3/day')[0].data).toEqual({ date: TODAY });
  expect(fake.wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: '曹小书今天在哪' });
  expect(text(page, '#date-title')).toContain('今天');
  expect(text(page, '#headline')).toBe('还没有签到');
  expect(text(page, '#place')).toContain('一年级1班看护班');
  expect(text(page, '#place-room')).toBe('一年级1班教室');
  expect(text(page, '#place-time')).toBe('15:40–16:50');
  expect(text(page, '#place-teachers')).toBe('李老师、黄老师');
  expect(text(page, '#handover')).toBe('放学交接班主任尚未交接');
  expect(exists(page, '#leave')).toBe(false);
  expect(exists(page, '#ask-leave')).toBe(true);
});

test('arrived: since when, in school time; the handover with its time', async () => {
  serve(childDay({
    attendance: { status: 'present', status_label: '已到', arrived_at: `${TODAY}T08:05:00Z`, marked_at: `${TODAY}T08:05:00Z` },
    handover: { status: 'handed_over', label: '班主任已交接', confirmed_at: `${TODAY}T07:50:00Z` },
  }));
  const page = await open();

  expect(text(page, '#headline')).toBe('已到，16:05 起在一年级1班');
  expect(page.querySelector('#headline').dom.className).toContain('headline--ok');
  expect(text(page, '#handover')).toBe('放学交接班主任已交接（15:50）');
});

test('a club day, an early pickup, and an absence alert', async () => {
  serve(childDay({
    place: { ...PLACE, kind: 'club', label: '舞蹈', room: '舞蹈房', starts_at: '16:20', ends_at: '17:20', teachers: ['周老师'] },
    leave: leave('early_pickup', { time: '16:30' }),
    absence_alert: true,
    handover: { status: 'missing', label: '交接时未到', confirmed_at: `${TODAY}T07:50:00Z` },
  }));
  const page = await open();

  expect(text(page, '#headline')).toBe('还没有到，老师已发出未到提醒');
  expect(text(page, '#place')).toContain('舞蹈社团');
  expect(text(page, '#leave')).toBe('请假提前接走 16:30');
  expect(page.querySelector('#handover').dom.className).toContain('handover--missing');
});

test('on leave today, or not in care today', async () => {
  serve(childDay({
    place: { kind: 'leave', label: '请假', session_id: null, room: null, starts_at: null, ends_at: null, teachers: [] },
    leave: leave('sick'),
  }));
  let page = await open();
  expect(text(page, '#headline')).toBe('今天请假：病假');
  expect(exists(page, '#place')).toBe(false);
  expect(text(page, '#leave')).toBe('请假病假');

  serve(childDay({
    place: { kind: 'not_in_care', label: '今天不参加托管', session_id: null, room: null, starts_at: null, ends_at: null, teachers: [] },
    handover: null,
  }));
  page = await open();
  expect(text(page, '#headline')).toBe('今天不参加托管');
  expect(exists(page, '#handover')).toBe(false);
});

test('a day without service says why', async () => {
  serve(childDay({ date: '2026-10-01', day: holiday('2026-10-01', '国庆节'), place: { ...PLACE, kind: 'not_in_care' }, handover: null }));
  const page = await open({ student_id: '3', date: '2026-10-01' });

  expect(fake.sent('GET', '/students/3/day')[0].data).toEqual({ date: '2026-10-01' });
  expect(text(page, '#no-service')).toContain('国庆节');
  expect(exists(page, '#headline')).toBe(false);
  // no leave for a day gone by
  expect(exists(page, '#ask-leave')).toBe(false);
});

test('请假 opens the leave form for the child', async () => {
  serve();
  const page = await open();

  await tap(page, '#ask-leave');

  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/leave-request/index?student_id=3' }));
});

test('‹ › look at another day; coming back (from the leave form) reads the day again', async () => {
  serve((req) => ({ status: 200, body: childDay({ date: req.data.date }) }));
  const page = await open();

  await tap(page, '#next-day');
  expect(fake.sent('GET', '/students/3/day')[1].data).toEqual({ date: addDays(TODAY, 1) });
  expect(exists(page, '#back-today')).toBe(true);
  await tap(page, '#back-today');
  expect(text(page, '#date-title')).toContain('今天');

  await page.instance.onShow();
  expect(fake.sent('GET', '/students/3/day')).toHaveLength(4);
});

test('another family\'s child: the server\'s 404 on the error screen', async () => {
  fake.route('GET', '/students/3/day', { status: 404, body: { error: { code: 'STUDENT_NOT_FOUND', message: '未找到该学生' } } });
  const page = await open();

  expect(text(page, '#load-error')).toContain('未找到该学生');
});
