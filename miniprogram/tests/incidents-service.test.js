const { setUpFakeBackend } = require('./helpers/fake-wx');
const incidents = require('../services/incidents');
const { NOW, incidentOut, entry } = require('./helpers/duty-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => jest.restoreAllMocks());

test('list (the server\'s week), the open ones over 90 days, one, a report and entries with keys', async () => {
  fake.route('GET', '/incidents', { status: 200, body: [] });
  fake.route('GET', '/incidents/70', { status: 200, body: incidentOut() });
  fake.route('POST', '/incidents', { status: 201, body: incidentOut() });
  fake.route('POST', '/incidents?school_id=2', { status: 201, body: incidentOut() });
  fake.route('POST', '/incidents/70/entries', { status: 201, body: incidentOut() });

  await incidents.list();
  await incidents.listOpen({ schoolId: 2 });
  await incidents.get(70);
  await incidents.report({ type: 'injury', severity: 'low', place: '操场', description: 'x', actionsTaken: 'y' });
  await incidents.report({ type: 'missing_child', severity: 'high', at: '2026-11-24T16:00:00+08:00', place: '校门', studentIds: [7], description: 'x', actionsTaken: 'y' }, { schoolId: 2 });
  await incidents.addEntry(70, { kind: 'follow_up', text: '跟进', changes: { place: '不会发送' } });
  await incidents.addEntry(70, { kind: 'correction', text: '更正', changes: { place: '篮球场' } });

  expect(fake.calls.map((c) => [`${c.method} ${c.path}`, c.data])).toEqual([
    ['GET /incidents', undefined],
    ['GET /incidents', { status: 'open', from: '2026-08-26', to: '2026-11-24', school_id: 2 }],
    ['GET /incidents/70', undefined],
    ['POST /incidents', { type: 'injury', severity: 'low', place: '操场', student_ids: [], description: 'x', actions_taken: 'y' }],
    ['POST /incidents?school_id=2', {
      type: 'missing_child', severity: 'high', place: '校门', student_ids: [7], description: 'x', actions_taken: 'y', at: '2026-11-24T16:00:00+08:00',
    }],
    ['POST /incidents/70/entries', { kind: 'follow_up', text: '跟进' }],
    ['POST /incidents/70/entries', { kind: 'correction', text: '更正', changes: { place: '篮球场' } }],
  ]);
  fake.mutations().forEach((c) => expect(c.header['Idempotency-Key']).toBeTruthy());
});

test('an incident in the list; its children', () => {
  expect(incidents.listItem(incidentOut())).toEqual({
    id: 70, title: '受伤 · 轻微', severity: 'low', missing: false, when: '今天 16:10', place: '操场',
    childrenText: '张小明（三年级2班）', open: true, statusLabel: '处理中', entries: 0,
  });
  expect(incidents.listItem(incidentOut({ type: 'missing_child', status: 'closed' }))).toEqual(expect.objectContaining({ missing: true, open: false, statusLabel: '已结案' }));
  expect(incidents.childrenText([{ name: '甲', class_name: '' }, { name: '乙', class_name: '一年级1班' }])).toBe('甲、乙（一年级1班）');
});

test('the timeline: each correction says what it changed from what the fields were before it', () => {
  const incident = incidentOut({
    entries: [
      entry(1, 'correction', '地点写错', { changes: { place: '篮球场', severity: 'medium' } }),
      entry(2, 'follow_up', '已复查'),
      entry(3, 'correction', '再改', { changes: { place: '体育馆' } }),
      entry(4, 'close', '已处理'),
    ],
  });
  const views = incidents.entryViews(incident);
  expect(views.map((v) => v.kindLabel)).toEqual(['更正', '跟进', '更正', '结案']);
  expect(views[0].changes).toEqual(['程度：轻微 → 一般', '地点：操场 → 篮球场']);
  expect(views[1].changes).toEqual([]);
  expect(views[2].changes).toEqual(['地点：篮球场 → 体育馆']);
  expect(views[3].meta).toBe('赵主任 · 11-24 17:04');
});

test('a correction sends only the fields that changed', () => {
  const incident = incidentOut();
  expect(incidents.changedFields({ severity: 'low', place: ' 操场 ', description: incident.description, actions_taken: '' }, incident)).toEqual({});
  expect(incidents.changedFields({ severity: 'high', place: '篮球场 ', description: incident.description, actions_taken: incident.actions_taken }, incident))
    .toEqual({ severity: 'high', place: '篮球场' });
});
