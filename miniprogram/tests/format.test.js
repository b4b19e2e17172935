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
  expect(format.shanghaiClock(Date.parse('2026-03-01T16:30:00Z'))).toBe('00:30');
  expect(format.shanghaiClock(Date.parse('2026-11-24T08:05:59Z'))).toBe('16:05');
});

test('parseTime reads what the API sends, microseconds and offsets included (iOS refuses them in Date.parse)', () => {
  expect(format.parseTime('2025-03-05T09:23:00.123456Z')).toBe(Date.UTC(2025, 2, 5, 9, 23, 0, 123));
  expect(format.parseTime('2025-03-04T01:05:00+00:00')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('2025-03-04T09:05:00+0800')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('2025-03-04T01:05')).toBe(Date.UTC(2025, 2, 4, 1, 5));
  expect(format.parseTime('')).toBeNaN();
  expect(format.parseTime('2025-03-04')).toBeNaN();
});

test('school date + time → the API datetime, zone spelt out', () => {
  expect(format.shanghaiIso('2026-09-01', '12:00')).toBe('2026-09-01T12:00:00+08:00');
  expect(format.shanghaiIso('', '12:00')).toBe('');
  expect(Date.parse(format.shanghaiIso('2026-09-01', '07:30'))).toBe(Date.parse('2026-08-31T23:30:00Z'));
});

test('when something happened, as a list says it: today, yesterday, this year, before — by the school\'s midnight', () => {
  const now = Date.UTC(2025, 2, 5, 10, 0, 0); // 2025-03-05 18:00 at school
  expect(format.formatRecent('2025-03-05T09:23:00.123456Z', now)).toBe('今天 17:23');
  expect(format.formatRecent('2025-03-04T16:05:00Z', now)).toBe('今天 00:05'); // UTC yesterday, school today
  expect(format.formatRecent('2025-03-04T15:59:00Z', now)).toBe('昨天 23:59');
  expect(format.formatRecent('2025-03-04T01:05:00+00:00', now)).toBe('昨天 09:05');
  expect(format.formatRecent('2025-03-01T08:40:00Z', now)).toBe('3月1日 16:40');
  expect(format.formatRecent('2024-12-31T17:00:00Z', now)).toBe('1月1日 01:00'); // new year at school already
  expect(format.formatRecent('2024-12-30T02:00:00Z', now)).toBe('2024年12月30日');
  expect(format.formatRecent(null, now)).toBe('');
  expect(format.formatRecent('soon', now)).toBe('');
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
