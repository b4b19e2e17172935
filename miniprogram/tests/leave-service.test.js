const { setUpFakeBackend } = require('./helpers/fake-wx');
const leave = require('../services/leave');
const { calendarDays, leaveOut } = require('./helpers/leave-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

test('days and dates in Chinese', () => {
  expect(leave.weekdayOf('2026-03-15')).toBe(7);
  expect(leave.dayLabel('2026-03-09')).toBe('3月9日 周一');
  expect(leave.datesText(['2026-03-10', '2026-03-09'])).toBe('3月9日 周一、3月10日 周二');
  expect(leave.datesText(['2026-03-13', '2026-03-09', '2026-03-11'])).toBe('3月9日 周一 至 3月13日 周五（3天）');
  expect(leave.kindLabel('early_pickup')).toBe('提前接走');
  expect(leave.statusLabel('noted')).toBe('班主任已知悉');
});

test('the form is checked as the server checks LeaveIn', () => {
  expect(leave.checkLeave({ kind: 'sick', dates: [], reason: ' ' }, 11).errors)
    .toEqual({ dates: '请选择请假日期', reason: '请填写请假原因' });
  expect(leave.checkLeave({ kind: 'early_pickup', dates: ['2026-03-10', '2026-03-11'], reason: '看牙' }, 11).errors)
    .toEqual({ dates: '提前接走一次只能选一天', early_pickup_time: '请选择接走时间' });
  const many = calendarDays('2026-03-01', 21).map((d) => d.date);
  expect(leave.checkLeave({ kind: 'personal', dates: many, reason: 'x' }, 11).errors).toEqual({ dates: '一次最多请 20 天' });
  expect(leave.checkLeave({ kind: 'sick', dates: ['2026-03-10'], reason: 'x'.repeat(201) }, 11).errors)
    .toEqual({ reason: '原因最多 200 字' });
  expect(leave.checkLeave({ kind: 'sick', dates: ['2026-03-11', '2026-03-10', '2026-03-11'], reason: ' 发烧 ' }, 11).payload)
    .toEqual({ student_id: 11, kind: 'sick', dates: ['2026-03-10', '2026-03-11'], reason: '发烧' });
  expect(leave.checkLeave({ kind: 'early_pickup', dates: ['2026-03-10'], reason: '看牙', earlyPickupTime: '16:30' }, 11).payload)
    .toEqual({ student_id: 11, kind: 'early_pickup', dates: ['2026-03-10'], reason: '看牙', early_pickup_time: '16:30' });
});

test('the days a child can be on leave, and those already taken', () => {
  const days = calendarDays('2026-03-09', 14, {
    '2026-03-11': { served: false, kind: 'cancelled' },
    '2026-03-14': { served: true, kind: 'added', runs_as_weekday: 5 },
  });
  const taken = leave.takenDates([leaveOut({ dates: ['2026-03-13'] }), leaveOut({ dates: ['2026-03-16'], status: 'cancelled' })]);
  expect(taken).toEqual(['2026-03-13']);
  const open = leave.leaveDays(days, { weekdays: [1, 3, 5], today: '2026-03-10', leavesOn: '2026-03-20', taken });
  // Saturday 03-14 runs as a Friday; 03-20 on is after the withdrawal
  expect(open.map((d) => d.date)).toEqual(['2026-03-13', '2026-03-14', '2026-03-16', '2026-03-18']);
  expect(open[0].taken).toBe(true);
  expect(leave.pickupWindow(days[0].timetable)).toEqual({ start: '15:40', end: '17:30' });
  expect(leave.pickupWindow(null)).toEqual({ start: '', end: '' });
});

test('the class head\'s order: urgent waiting, then waiting, then the rest', () => {
  const list = [
    leaveOut({ id: 1, status: 'approved', urgent: true }), leaveOut({ id: 2 }), leaveOut({ id: 3, urgent: true }), leaveOut({ id: 4 }),
  ];
  expect(leave.reviewOrder(list).map((l) => l.id)).toEqual([3, 2, 4, 1]);
});

test('refusals land on their field', () => {
  expect(leave.refusalErrors({ code: 'LEAVE_OVERLAP', message: '3月11日已有请假', fields: { dates: '2026-03-11' } }))
    .toEqual({ dates: '3月11日已有请假' });
  expect(leave.refusalErrors({ code: 'VALIDATION_ERROR', message: '输入有误', fields: { reason: '太长' } })).toEqual({ reason: '太长' });
  expect(leave.refusalErrors({ code: 'NETWORK_ERROR', message: '网络不给力' })).toEqual({ '': '网络不给力' });
});

test('the requests sent', async () => {
  fake.route('GET', '/classes/3/leave-requests', { status: 200, body: [] });
  await leave.classLeaves(3, { status: '', date: '2026-03-10' });
  expect(fake.calls[0].data).toEqual({ date: '2026-03-10' });
  fake.route('POST', '/leave-requests/5/decision', { status: 200, body: {} });
  await leave.decide(5, { decision: 'note', comment: '  ' });
  expect(fake.sent('POST', '/leave-requests/5/decision')[0].data).toEqual({ decision: 'note' });
  fake.route('GET', '/schools/1/classes', { status: 200, body: [{ id: 3, head_staff_id: 4 }, { id: 4, head_staff_id: 6 }, { id: 5, head_staff_id: null }] });
  expect(await leave.headedClasses({ id: 1, staff_id: 4 })).toEqual([{ id: 3, head_staff_id: 4 }]);
});
