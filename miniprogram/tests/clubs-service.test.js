/** services/clubs.js: what each call sends (mutations idempotent, retried with the same key) and the helpers. */
const config = require('../config/index');
const { TOKEN_KEY } = require('../services/request');
const clubs = require('../services/clubs');
const { installFakeWx, BASE_URL } = require('./helpers/fake-wx');

let fake;

beforeEach(() => {
  fake = installFakeWx();
  config.baseUrl = BASE_URL;
  config.devOpenid = '';
  config.networkRetryDelays = [0, 0];
  fake.storage.set(TOKEN_KEY, 'stored-token');
});

test('enrol, drop and lottery choices are idempotent: a retry after a lost answer reuses the key', async () => {
  const enrolled = { id: 1, club_id: 3, status: 'enrolled', position: null };
  fake.route('POST', '/clubs/3/enrollments', { network: true }, { status: 200, body: enrolled });
  fake.route('DELETE', '/clubs/3/enrollments/2', { network: true }, { status: 200, body: { ...enrolled, status: 'dropped' } });
  fake.route('PUT', '/selection-rounds/9/choices/2', { network: true }, { status: 200, body: [] });

  await expect(clubs.enroll(3, 2)).resolves.toEqual(enrolled);
  await clubs.drop(3, 2);
  await clubs.saveChoices(9, 2, [4, 1]);

  const byPath = (method, path) => fake.calls.filter((c) => c.method === method && c.path === path);
  const posts = byPath('POST', '/clubs/3/enrollments');
  expect(posts).toHaveLength(2);
  expect(posts[0].data).toEqual({ student_id: 2 });
  expect(posts[0].header['Idempotency-Key']).toBeTruthy();
  expect(posts[1].header['Idempotency-Key']).toBe(posts[0].header['Idempotency-Key']);
  const deletes = byPath('DELETE', '/clubs/3/enrollments/2');
  expect(deletes).toHaveLength(2);
  expect(deletes[1].header['Idempotency-Key']).toBe(deletes[0].header['Idempotency-Key']);
  const puts = byPath('PUT', '/selection-rounds/9/choices/2');
  expect(puts[0].data).toEqual({ club_ids: [4, 1] });
  expect(puts[1].header['Idempotency-Key']).toBe(puts[0].header['Idempotency-Key']);
  // two separate taps are two logical calls: different keys
  await clubs.enroll(3, 2);
  expect(byPath('POST', '/clubs/3/enrollments')[2].header['Idempotency-Key']).not.toBe(posts[0].header['Idempotency-Key']);
});

test('reads: catalogue for a child, rounds, the child\'s places, a roster', async () => {
  ['/terms/5/clubs', '/terms/5/selection-rounds', '/students/2/clubs', '/clubs/3/roster', '/clubs/3'].forEach((path) => {
    fake.route('GET', path, { status: 200, body: [] });
  });
  await clubs.listClubs(5, 2);
  await clubs.listClubs(5);
  await clubs.listRounds(5);
  await clubs.childClubs(2);
  await clubs.roster(3);
  await clubs.getClub(3);
  expect(fake.calls.map((c) => [c.path, c.data])).toEqual([
    ['/terms/5/clubs', { student_id: 2 }],
    ['/terms/5/clubs', undefined],
    ['/terms/5/selection-rounds', undefined],
    ['/students/2/clubs', undefined],
    ['/clubs/3/roster', undefined],
    ['/clubs/3', undefined],
  ]);
  fake.calls.forEach((c) => expect(c.header['Idempotency-Key']).toBeUndefined());
});

test('the current term: the one running today, else the next, else the latest', () => {
  const terms = [
    { id: 1, starts_on: '2025-09-01', ends_on: '2026-01-20' },
    { id: 2, starts_on: '2026-02-20', ends_on: '2026-07-10' },
  ];
  expect(clubs.pickCurrentTerm(terms, '2025-10-01').id).toBe(1);
  expect(clubs.pickCurrentTerm(terms, '2026-02-01').id).toBe(2);
  expect(clubs.pickCurrentTerm(terms, '2026-08-01').id).toBe(2);
  expect(clubs.pickCurrentTerm([], '2026-08-01')).toBeNull();
  expect(clubs.shanghaiToday(Date.parse('2026-02-28T17:00:00Z'))).toBe('2026-03-01');
});

test('formatting', () => {
  expect(clubs.weekdaysText([3, 1])).toBe('周一、周三');
  expect(clubs.weekdaysText([1, 2, 3, 4, 5])).toBe('周一至周五');
  expect(clubs.gradesText([1, 2])).toBe('一、二年级');
  expect(clubs.gradesText([3, 4, 5, 6])).toBe('三至六年级');
  expect(clubs.formatTime('2026-09-01T04:05:00Z')).toBe('09-01 12:05');
  expect(clubs.formatTime('2026-09-01T04:05:00+00:00', true)).toBe('2026-09-01 12:05');
  expect(clubs.statusText('enrolled')).toBe('已选上');
  expect(clubs.statusText('waitlisted', 3)).toBe('候补第3位');
  expect(clubs.statusText('waitlisted', null)).toBe('候补中');
  expect(clubs.statusText('dropped')).toBe('');
  expect(clubs.parseContact('妈妈 李娟 13800000001')).toEqual({ label: '妈妈 李娟', phone: '13800000001' });
  expect(clubs.parseContact('外婆 张兰')).toEqual({ label: '外婆 张兰', phone: '' });
  expect(clubs.categoryColor('sport')).not.toBe(clubs.categoryColor('art'));
  expect(clubs.categoryColor('unknown')).toBe(clubs.CATEGORY_COLORS.other);
});

test('cover links: the server\'s signed path gets the API origin in front', () => {
  config.baseUrl = 'https://kehou.example.cn/api/v1';
  expect(clubs.coverSrc('/api/v1/clubs/3/cover/a.jpg?exp=1&sig=x')).toBe('https://kehou.example.cn/api/v1/clubs/3/cover/a.jpg?exp=1&sig=x');
  expect(clubs.coverSrc('https://cdn.example.cn/a.jpg')).toBe('https://cdn.example.cn/a.jpg');
  expect(clubs.coverSrc(null)).toBe('');
});

test('round state: open first-come / lottery, the next to open, and the schedule', () => {
  const now = Date.parse('2026-03-05T00:00:00Z');
  const state = clubs.roundsState([
    { id: 2, name: '补选', mode: 'first_come', opens_at: '2026-04-01T01:00:00Z', closes_at: '2026-04-02T01:00:00Z', is_open: false, max_per_child: 2 },
    { id: 1, name: '第一轮（摇号）', mode: 'lottery', opens_at: '2026-03-01T01:00:00Z', closes_at: '2026-03-10T01:00:00Z', is_open: true, max_per_child: 2 },
  ], now);
  expect(state.firstCome).toBeNull();
  expect(state.lottery.id).toBe(1);
  expect(state.next.id).toBe(2);
  expect(state.schedule.map((r) => [r.title, r.state])).toEqual([['第一轮（摇号）', '进行中'], ['补选（先到先得）', '未开始']]);
});
