const { setUpFakeBackend } = require('./helpers/fake-wx');
const reports = require('../services/reports');
const { point, dashboard } = require('./helpers/report-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.route('GET', '/reports/schools/1', { status: 200, body: dashboard() });
});

test('the school dashboard: the current term by default; a term and a range (`from`, `to`) when given', async () => {
  expect(await reports.schoolDashboard(1)).toEqual(dashboard());
  await reports.schoolDashboard(1, { from: '2026-11-24', to: '2026-11-24' });
  await reports.schoolDashboard(1, { termId: 3, from: '2026-09-01' });
  expect(fake.calls.map((c) => [c.method, c.path, c.data])).toEqual([
    ['GET', '/reports/schools/1', undefined],
    ['GET', '/reports/schools/1', { from: '2026-11-24', to: '2026-11-24' }],
    ['GET', '/reports/schools/1', { term_id: 3, from: '2026-09-01' }],
  ]);
});

test('a refusal rejects with the server\'s code (a page passes toast: false to say it itself)', async () => {
  fake.route('GET', '/reports/schools/9', { status: 404, body: { error: { code: 'SCHOOL_NOT_FOUND', message: '未找到该学校' } } });
  await expect(reports.schoolDashboard(9, {}, { toast: false })).rejects.toMatchObject({ code: 'SCHOOL_NOT_FOUND', message: '未找到该学校' });
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

test('rates as the server gives them, without trailing zeros', () => {
  expect(reports.percentText(82.18)).toBe('82.18%');
  expect(reports.percentText(96.0)).toBe('96%');
  expect(reports.percentText(99.8)).toBe('99.8%');
  expect(reports.percentText(100)).toBe('100%');
  expect(reports.percentText(0)).toBe('0%');
  expect(reports.percentText(undefined)).toBe('0%');
});

test('yuan with thousands marked', () => {
  expect(reports.yuanText(22800000)).toBe('228,000');
  expect(reports.yuanText(4150000)).toBe('41,500');
  expect(reports.yuanText(12345)).toBe('123.45');
  expect(reports.yuanText(720050)).toBe('7,200.50');
  expect(reports.yuanText(0)).toBe('0');
  expect(reports.yuanText(-150000)).toBe('-1,500');
});

test('attendance bars: the last days, each day\'s attendance as a height, low days marked, a day with nobody expected flat', () => {
  const bars = reports.attendanceBars([
    point('2026-11-20', 80, 76, 3), point('2026-11-23', 80, 70, 2), point('2026-11-24', 0, 0, 0),
  ]);
  expect(bars).toEqual([
    { date: '2026-11-20', height: 95, low: false, text: '11月20日 已到 76/80 人（95%），请假 3，缺席 4' },
    { date: '2026-11-23', height: 88, low: true, text: '11月23日 已到 70/80 人（88%），请假 2，缺席 10' },
    { date: '2026-11-24', height: 0, low: false, text: '11月24日 已到 0/0 人（0%），请假 0，缺席 0' },
  ]);
  expect(reports.attendanceBars([point('2026-11-20', 1, 1, 0), point('2026-11-23', 1, 0, 0)], 1).map((b) => b.date))
    .toEqual(['2026-11-23']);
  expect(reports.attendanceBars(undefined)).toEqual([]);
});

test('the fullest clubs, incidents by type, satisfaction only once someone answered', () => {
  expect(reports.topClubs(dashboard().clubs, 3).map((c) => [c.name, c.rateText, c.width])).toEqual([
    ['合唱', '100%', 100], ['国画', '100%', 100], ['篮球', '91.67%', 91.67],
  ]);
  expect(reports.topClubs([])).toEqual([]);
  expect(reports.incidentTypes({ 身体不适: 2, 受伤: 3 })).toEqual([{ type: '受伤', count: 3 }, { type: '身体不适', count: 2 }]);
  expect(reports.incidentTypes(undefined)).toEqual([]);
  expect(reports.satisfactionView(dashboard().satisfaction)).toEqual({ answered: true, rateText: '98.75%', surveys: 1, responses: 80 });
  expect(reports.satisfactionView({ surveys: [{ survey_id: 1, title: 'x', responses: 0, satisfied_rate: 0 }], satisfied_rate: 0 }))
    .toEqual({ answered: false, rateText: '0%', surveys: 1, responses: 0 });
});
