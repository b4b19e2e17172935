/** services/calendar.js: month arithmetic, a day's timetable rows, the rules as the server checks them, the requests. */
const calendar = require('../services/calendar');
const { setUpFakeBackend } = require('./helpers/fake-wx');

const TERM = { id: 5, starts_on: '2026-02-20', ends_on: '2026-07-10' };

test('months: moving across years, their Chinese names, the range within the term, the month to open on', () => {
  expect(calendar.addMonths('2026-12', 1)).toBe('2027-01');
  expect(calendar.addMonths('2027-01', -1)).toBe('2026-12');
  expect(calendar.addMonths('2026-02', 13)).toBe('2027-03');
  expect(calendar.monthLabel('2027-01')).toBe('2027年1月');
  expect(calendar.monthOf('2026-11-24')).toBe('2026-11');

  expect(calendar.monthRange('2026-04', TERM)).toEqual({ from: '2026-04-01', to: '2026-04-30' });
  expect(calendar.monthRange('2026-02', TERM)).toEqual({ from: '2026-02-20', to: '2026-02-28' });
  expect(calendar.monthRange('2026-07', TERM)).toEqual({ from: '2026-07-01', to: '2026-07-10' });
  expect(calendar.monthRange('2028-02', { starts_on: '2028-01-01', ends_on: '2028-06-30' })).toEqual({ from: '2028-02-01', to: '2028-02-29' });

  expect(calendar.startMonth(TERM, '2026-04-28')).toBe('2026-04');
  expect(calendar.startMonth(TERM, '2026-01-05')).toBe('2026-02'); // before the term: its first month
  expect(calendar.startMonth(TERM, '2026-11-24')).toBe('2026-07'); // after it: its last
});

test('a month as weeks from Monday, blanks around it', () => {
  const november = calendar.monthWeeks('2026-11'); // the 1st is a Sunday
  expect(november[0]).toEqual([null, null, null, null, null, null, '2026-11-01']);
  expect(november[1][0]).toBe('2026-11-02');
  expect(november[november.length - 1]).toEqual(['2026-11-30', null, null, null, null, null, null]);
  expect(november).toHaveLength(6);

  const june = calendar.monthWeeks('2026-06'); // the 1st is a Monday, the 30th a Tuesday
  expect(june[0][0]).toBe('2026-06-01');
  expect(june).toHaveLength(5);
  expect(june.every((week) => week.length === 7)).toBe(true);
});

test('a served day\'s timetable as rows; none without one', () => {
  expect(calendar.timetableRows({
    starts_at: '15:40', homework_ends_at: '16:20', activity_starts_at: '16:20',
    end_times: { low: '16:50', mid: '17:10', high: '17:20' }, winter: true,
  })).toEqual([
    { key: 'starts', label: '开始', value: '15:40' },
    { key: 'homework', label: '作业辅导至', value: '16:20' },
    { key: 'activity', label: '活动开始', value: '16:20' },
    { key: 'end-low', label: '低年级结束', value: '16:50' },
    { key: 'end-mid', label: '中年级结束', value: '17:10' },
    { key: 'end-high', label: '高年级结束', value: '17:20' },
  ]);
  expect(calendar.timetableRows(null)).toEqual([]);
});

test('the rules form is checked as the server checks RulesIn', () => {
  const form = calendar.rulesForm({
    school_id: 1, service_on_makeup_days: false, group_max: 45, class_keeps_group_at: 30, children_per_tutor: 25,
    absence_alert_minutes: 15, leave_cutoff: '14:00',
  });
  expect(form).toEqual({
    service_on_makeup_days: false, group_max: '45', class_keeps_group_at: '30', children_per_tutor: '25',
    absence_alert_minutes: '15', leave_cutoff: '14:00',
  });
  expect(calendar.checkRules(form)).toEqual({ payload: {
    service_on_makeup_days: false, group_max: 45, class_keeps_group_at: 30, children_per_tutor: 25,
    absence_alert_minutes: 15, leave_cutoff: '14:00',
  } });

  // the bounds themselves are accepted
  expect(calendar.checkRules({ ...form, group_max: '80', class_keeps_group_at: '80', children_per_tutor: '5', absence_alert_minutes: '120' }).payload)
    .toBeTruthy();
  expect(calendar.checkRules({ ...form, group_max: '10', class_keeps_group_at: '1', children_per_tutor: '60', absence_alert_minutes: '1', leave_cutoff: '23:59' }).payload)
    .toBeTruthy();

  expect(calendar.checkRules({
    ...form, group_max: '9', class_keeps_group_at: '', children_per_tutor: '2.5', absence_alert_minutes: '121', leave_cutoff: '24:00',
  }).errors).toEqual({
    group_max: '临时班人数上限应为 10–80 的整数',
    class_keeps_group_at: '请填写单独成班人数',
    children_per_tutor: '每名看护教师对应学生数应为 5–60 的整数',
    absence_alert_minutes: '未到提醒（分钟）应为 1–120 的整数',
    leave_cutoff: '请选择请假截止时间',
  });
  expect(calendar.checkRules({ ...form, group_max: '40', class_keeps_group_at: '41' }).errors)
    .toEqual({ class_keeps_group_at: '单独成班人数不能超过临时班人数上限' });
});

test('the requests: the month asked for, changes and undo idempotent, follows_weekday only when adding', async () => {
  const fake = setUpFakeBackend();
  fake.route('GET', '/terms/5/calendar', { status: 200, body: { days: [] } });
  fake.route('POST', '/terms/5/calendar/changes', (req) => ({ status: 200, body: req.data }));
  fake.route('DELETE', '/calendar-changes/7', { status: 204 });
  fake.route('GET', '/schools/1/rules', { status: 200, body: {} });
  fake.route('PUT', '/schools/1/rules', (req) => ({ status: 200, body: req.data }));

  await calendar.termCalendar(5, { from: '2026-04-01', to: '2026-04-30' });
  await calendar.termCalendar(5);
  await calendar.changeDay(5, { date: '2026-04-29', kind: 'cancel', reason: '运动会', followsWeekday: 3 });
  await calendar.changeDay(5, { date: '2026-04-18', kind: 'add', reason: '补课', followsWeekday: 5 });
  await calendar.changeDay(5, { date: '2026-04-06', kind: 'add', reason: '补课', followsWeekday: 0 });
  await calendar.undoChange(7);
  await calendar.getRules(1);
  await calendar.saveRules(1, { group_max: 40 });

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /terms/5/calendar', 'GET /terms/5/calendar', 'POST /terms/5/calendar/changes', 'POST /terms/5/calendar/changes',
    'POST /terms/5/calendar/changes', 'DELETE /calendar-changes/7', 'GET /schools/1/rules', 'PUT /schools/1/rules',
  ]);
  expect(fake.calls[0].data).toEqual({ from: '2026-04-01', to: '2026-04-30' });
  expect(fake.calls[1].data).toEqual({});
  expect(fake.calls.slice(2, 5).map((c) => c.data)).toEqual([
    { date: '2026-04-29', kind: 'cancel', reason: '运动会' },
    { date: '2026-04-18', kind: 'add', reason: '补课', follows_weekday: 5 },
    { date: '2026-04-06', kind: 'add', reason: '补课' },
  ]);
  expect(fake.mutations().every((c) => c.header['Idempotency-Key'])).toBe(true);
  expect(new Set(fake.mutations().map((c) => c.header['Idempotency-Key'])).size).toBe(5);
  expect(fake.calls[7].data).toEqual({ group_max: 40 });
});
