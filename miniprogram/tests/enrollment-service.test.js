const enrollment = require('../services/enrollment');

const TERMS = [
  { id: 2, name: '春季', starts_on: '2026-02-20', ends_on: '2026-07-10', is_current: false },
  { id: 1, name: '秋季', starts_on: '2025-09-01', ends_on: '2026-01-20', is_current: false },
];

test('the current term: the running one, else the next to start, else the latest (like the server)', () => {
  expect(enrollment.pickCurrentTerm(TERMS, '2026-03-01').id).toBe(2);
  expect(enrollment.pickCurrentTerm(TERMS, '2026-02-01').id).toBe(2); // winter break: the next one
  expect(enrollment.pickCurrentTerm(TERMS, '2026-08-01').id).toBe(2); // nothing next: the latest
  expect(enrollment.pickCurrentTerm(TERMS, '2025-10-01').id).toBe(1);
  expect(enrollment.pickCurrentTerm([{ ...TERMS[1], is_current: true }, TERMS[0]], '2026-08-01').id).toBe(1);
  expect(enrollment.pickCurrentTerm([], '2026-03-01')).toBeNull();
});

test('times are shown in Beijing time, dates roll over at midnight there', () => {
  expect(enrollment.formatTime('2026-03-01T06:05:00Z')).toBe('2026-03-01 14:05');
  expect(enrollment.formatTime('2026-03-01T16:30:00Z')).toBe('2026-03-02 00:30');
  expect(enrollment.formatTime('2026-03-01T16:30:00')).toBe('2026-03-02 00:30'); // no zone: UTC
  expect(enrollment.formatTime('2026-03-01T08:00:00+08:00')).toBe('2026-03-01 08:00');
  expect(enrollment.formatTime(null)).toBe('');
  expect(enrollment.shanghaiToday(Date.parse('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
});

test('weekdays, money and labels in Chinese', () => {
  expect(enrollment.weekdaysText([5, 1, 2, 3, 4])).toBe('周一至周五');
  expect(enrollment.weekdaysText([1, 3, 5])).toBe('周一、周三、周五');
  expect(enrollment.weekdaysText([1, 2])).toBe('周一、周二');
  expect(enrollment.yuan(30000)).toBe('300');
  expect(enrollment.yuan(12345)).toBe('123.45');
  expect(enrollment.statusLabel(null)).toBe('尚未申请');
  expect(enrollment.statusLabel('class_approved')).toBe('待教导处审定');
  expect(enrollment.pickupLabel('self')).toBe('自行回家');
  expect(enrollment.priorityLabel('migrant')).toBe('进城务工随迁子女');
  expect(enrollment.actionLabel('class_reject')).toBe('班主任退回');
});
