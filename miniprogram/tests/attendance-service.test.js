/** services/attendance.js: the requests (marks and handover idempotent), a roster row's flags, marks, school dates. */
const attendance = require('../services/attendance');
const { setUpFakeBackend } = require('./helpers/fake-wx');
const { row, leave, day, holiday } = require('./helpers/attendance-fixtures');

test('school dates: one day on or back across months and years; a date as 11月24日 周二', () => {
  expect(attendance.addDays('2026-11-30', 1)).toBe('2026-12-01');
  expect(attendance.addDays('2027-01-01', -1)).toBe('2026-12-31');
  expect(attendance.addDays('2028-02-28', 1)).toBe('2028-02-29');
  expect(attendance.dayTitle('2026-11-24')).toBe('11月24日 周二');
  expect(attendance.dayTitle('2026-11-29')).toBe('11月29日 周日');
  expect(attendance.timeRange('15:40', '16:50')).toBe('15:40–16:50');
  expect(attendance.noServiceReason(holiday('2026-10-01', '国庆节'))).toBe('国庆节');
  expect(attendance.noServiceReason(day('2026-10-10', { served: false, kind: 'makeup', kind_label: '调休上班日' }))).toBe('调休上班日');
});

test('flags: leave (in force, pending, early pickup), club, elsewhere; handover and alert only until the child arrives', () => {
  expect(attendance.rosterFlags(row(1, '甲', { leave: leave('sick') })).map((f) => f.text)).toEqual(['请假（病假）']);
  expect(attendance.rosterFlags(row(1, '甲', { leave: leave('personal', { pending: true }) })).map((f) => f.text))
    .toEqual(['待批请假（事假）']);
  expect(attendance.rosterFlags(row(1, '甲', { leave: leave('early_pickup', { time: '16:30', pending: true }) })).map((f) => f.text))
    .toEqual(['提前接走 16:30（待批）']);
  expect(attendance.rosterFlags(row(1, '甲', { expected: false, club: '书法', place: '书法' })).map((f) => f.text)).toEqual(['在社团：书法']);
  expect(attendance.rosterFlags(row(1, '甲', { expected: false, place: '二年级1班' })).map((f) => f.text)).toEqual(['应在：二年级1班']);
  const alarmed = row(1, '甲', { handover_missing: true, absence_alert: true });
  expect(attendance.rosterFlags(alarmed).map((f) => f.text)).toEqual(['交接时未到', '已提醒缺席']);
  expect(attendance.rosterFlags(alarmed, 'late')).toEqual([]);
  expect(attendance.rosterFlags(alarmed, 'absent').map((f) => f.key)).toEqual(['handover', 'alert']);

  expect(attendance.keepsAway(leave('sick', { pending: true }))).toBe(true);
  expect(attendance.keepsAway(leave('early_pickup', { time: '16:30' }))).toBe(false);
  expect(attendance.keepsAway(null)).toBe(false);
});

test('marks in words: the arrival time in school time; photos from the API origin; the placeholder letter', () => {
  expect(attendance.markText(null)).toBe('未点名');
  expect(attendance.markText('present', '2026-11-24T08:05:00.123456Z')).toBe('已到 16:05');
  expect(attendance.markText('late', null)).toBe('迟到');
  expect(attendance.markText('absent', '2026-11-24T08:05:00Z')).toBe('缺席');
  expect(attendance.clock('2026-11-24T15:59:00Z')).toBe('23:59');
  expect(attendance.clock(null)).toBe('');
  setUpFakeBackend();
  expect(attendance.photoSrc('/api/v1/students/1/photo/a.jpg?exp=1&sig=x')).toBe('http://api.test/api/v1/students/1/photo/a.jpg?exp=1&sig=x');
  expect(attendance.photoSrc(null)).toBe('');
  expect(attendance.initial('曹欣书')).toBe('曹');
  expect(attendance.initial('')).toBe('？');
});

test('the requests: dates as queries; marks and handover idempotent; my classes from the school\'s list', async () => {
  const fake = setUpFakeBackend();
  fake.route('GET', '/sessions', { status: 200, body: { date: '2026-11-24', sessions: [], days: [] } });
  fake.route('GET', '/sessions/3/roster', { status: 200, body: { session: {}, rows: [] } });
  fake.route('PUT', '/sessions/3/attendance', { status: 200, body: { session: {}, rows: [] } });
  fake.route('GET', '/classes/1/handover', { status: 200, body: {} });
  fake.route('POST', '/classes/1/handover', { status: 200, body: {} });
  fake.route('GET', '/students/4/day', { status: 200, body: {} });
  fake.route('GET', '/schools/1/classes', { status: 200, body: [{ id: 1, head_staff_id: 7 }, { id: 2, head_staff_id: 8 }, { id: 3, head_staff_id: null }] });

  await attendance.listSessions('2026-11-24');
  await attendance.roster(3);
  await attendance.mark(3, [{ student_id: 1, status: 'present' }]);
  await attendance.handover(1, '2026-11-24');
  await attendance.confirmHandover(1, { date: '2026-11-24', presentIds: [1, 2], notes: '' });
  await attendance.childDay(4, '2026-11-24');
  expect(await attendance.headedClasses(1, 7)).toEqual([{ id: 1, head_staff_id: 7 }]);
  expect(await attendance.headedClasses(1, null)).toEqual([]);

  expect(fake.calls.map((c) => [c.method, c.path, c.data])).toEqual([
    ['GET', '/sessions', { date: '2026-11-24' }],
    ['GET', '/sessions/3/roster', undefined],
    ['PUT', '/sessions/3/attendance', [{ student_id: 1, status: 'present' }]],
    ['GET', '/classes/1/handover', { date: '2026-11-24' }],
    ['POST', '/classes/1/handover', { date: '2026-11-24', present_ids: [1, 2], notes: null }],
    ['GET', '/students/4/day', { date: '2026-11-24' }],
    ['GET', '/schools/1/classes', undefined],
  ]);
  expect(fake.mutations().every((c) => c.header['Idempotency-Key'])).toBe(true);
});
