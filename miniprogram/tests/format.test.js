/** utils/format.js: school time (Asia/Shanghai) and the Chinese wording of weekdays and grades. */
const format = require('../utils/format');

test('API datetimes in school time, dates rolling over at midnight there', () => {
  expect(format.formatTime('2026-03-01T06:05:00Z', true)).toBe('2026-03-01 14:05');
  expect(format.formatTime('2026-03-01T16:30:00Z', true)).toBe('2026-03-02 00:30');
  expect(format.formatTime('2026-03-01T16:30:00', true)).toBe('2026-03-02 00:30'); // no zone: UTC
  expect(format.formatTime('2026-03-01T08:00:00+08:00', true)).toBe('2026-03-01 08:00');
  expect(format.formatTime('2026-09-01T04:05:00Z')).toBe('09-01 12:05');
  expect(format.formatTime('2026-09-01T04:05:00+00:00', true)).toBe('2026-09-01 12:05');
  expect(format.formatTime(null)).toBe('');
  expect(format.formatTime('soon')).toBe('soon');
  expect(format.shanghaiToday(Date.parse('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
  expect(format.shanghaiToday(Date.parse('2026-02-28T17:00:00Z'))).toBe('2026-03-01');
});

test('parseTime reads what the API sends, microseconds and offsets included (iOS refuses them in Date.parse)', () => {
  expect(format.parseTime('2025-03-05T09:23:00.123456Z')).toBe(Date.UTC(2025, 2, 5, 9, 23, 0, 123));
  expect(format.parseTime('2025-03-04T01:05:00+00:00')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('2025-03-04T09:05:00+0800')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('2025-03-04T01:05')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('')).toBeNaN();
  expect(format.parseTime('2025-03-04')).toBeNaN();
});

test('school date + time ↔ API datetimes', () => {
  expect(format.shanghaiIso('2026-09-01', '12:00')).toBe('2026-09-01T12:00:00+08:00');
  expect(format.shanghaiIso('', '12:00')).toBe('');
  expect(Date.parse(format.shanghaiIso('2026-09-01', '07:30'))).toBe(Date.parse('2026-08-31T23:30:00Z'));
  expect(format.shanghaiParts('2026-08-31T23:30:00Z')).toEqual({ date: '2026-09-01', time: '07:30' });
  expect(format.shanghaiParts(null)).toEqual({ date: '', time: '' });
});

test('weekdays and grades: a run of three or more as 甲至乙', () => {
  expect(format.weekdaysText([5, 1, 2, 3, 4])).toBe('周一至周五');
  expect(format.weekdaysText([1, 3, 5])).toBe('周一、周三、周五');
  expect(format.weekdaysText([1, 2])).toBe('周一、周二');
  expect(format.weekdaysText([])).toBe('');
  expect(format.gradesText([1, 2])).toBe('一、二年级');
  expect(format.gradesText([3, 4, 5, 6])).toBe('三至六年级');
  expect(format.gradesText(null)).toBe('');
});
