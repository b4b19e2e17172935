/** services/clubs.js: what each call sends (mutations idempotent, retried with the same key) and the helpers. */
const config = require('../config/index');
const clubs = require('../services/clubs');
const { setUpFakeBackend, BASE_URL } = require('./helpers/fake-wx');
const { addUpload } = require('./helpers/fake-upload');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

test('enrol, drop and lottery choices are idempotent: a retry after a lost answer reuses the key', async () => {
  const enrolled = { id: 1, club_id: 3, status: 'enrolled', position: null };
  fake.route('POST', '/clubs/3/enrollments', { network: true }, { status: 200, body: enrolled });
  fake.route('DELETE', '/clubs/3/enrollments/2', { network: true }, { status: 200, body: { ...enrolled, status: 'dropped' } });
  fake.route('PUT', '/selection-rounds/9/choices/2', { network: true }, { status: 200, body: [] });

  await expect(clubs.enroll(3, 2)).resolves.toEqual(enrolled);
  await clubs.drop(3, 2);
  await clubs.saveChoices(9, 2, [4, 1]);

  const byPath = fake.sent;
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

test('reads: catalogue for a child, rounds, one round, saved choices, the child\'s places, my clubs, a roster', async () => {
  ['/terms/5/clubs', '/terms/5/selection-rounds', '/selection-rounds/9', '/selection-rounds/9/choices/2', '/students/2/clubs',
    '/terms/5/my-clubs', '/clubs/3/roster', '/clubs/3'].forEach((path) => {
    fake.route('GET', path, { status: 200, body: [] });
  });
  await clubs.listClubs(5, 2);
  await clubs.listClubs(5);
  await clubs.listRounds(5);
  await clubs.getRound(9);
  await clubs.savedChoices(9, 2);
  await clubs.childClubs(2);
  await clubs.myClubs(5);
  await clubs.roster(3);
  await clubs.getClub(3);
  expect(fake.calls.map((c) => [c.method, c.path, c.data])).toEqual([
    ['GET', '/terms/5/clubs', { student_id: 2 }],
    ['GET', '/terms/5/clubs', undefined],
    ['GET', '/terms/5/selection-rounds', undefined],
    ['GET', '/selection-rounds/9', undefined],
    ['GET', '/selection-rounds/9/choices/2', undefined],
    ['GET', '/students/2/clubs', undefined],
    ['GET', '/terms/5/my-clubs', undefined],
    ['GET', '/clubs/3/roster', undefined],
    ['GET', '/clubs/3', undefined],
  ]);
  fake.calls.forEach((c) => expect(c.header['Idempotency-Key']).toBeUndefined());
});

test('formatting', () => {
  const club = {
    name: '儿童画', category: 'art', category_label: '美术', weekdays: [4, 2], start_time: '16:00', end_time: '16:40', venue: '美术教室',
  };
  expect(clubs.clubTime(club)).toBe('周二、周四 16:00–16:40');
  expect(clubs.clubWhenWhere(club)).toBe('周二、周四 16:00–16:40 · 美术教室');
  expect(clubs.clubWhenWhere({ ...club, venue: '' })).toBe('周二、周四 16:00–16:40');
  expect(clubs.clubCategoryLabel(club)).toBe('美术');
  expect(clubs.clubCategoryLabel({ category: 'sport' })).toBe('体育');
  expect(['enrolled', 'waitlisted', 'dropped', null].map(clubs.isHeld)).toEqual([true, true, false, false]);
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

test('admin mutations (club create / edit / close, round, draw) are idempotent: a retry reuses the key', async () => {
  const body = { name: '儿童画', category: 'art', weekdays: [2], start_time: '16:00', end_time: '16:40', capacity: 30, grades: [1, 2] };
  fake.route('POST', '/terms/5/clubs', { network: true }, { status: 201, body: { id: 9, ...body } });
  fake.route('PUT', '/clubs/9', { network: true }, { status: 200, body: { id: 9, ...body } });
  fake.route('DELETE', '/clubs/9', { network: true }, { status: 204 });
  fake.route('POST', '/terms/5/selection-rounds', { network: true }, { status: 201, body: { id: 4 } });
  fake.route('POST', '/selection-rounds/4/draw', { network: true }, { status: 200, body: { round_id: 4, seed: 'abc', clubs: [] } });

  await expect(clubs.createClub(5, body)).resolves.toEqual({ id: 9, ...body });
  await clubs.updateClub(9, body);
  await expect(clubs.closeClub(9)).resolves.toBeNull();
  await clubs.createRound(5, { name: '第二轮' });
  await expect(clubs.drawLottery(4)).resolves.toEqual({ round_id: 4, seed: 'abc', clubs: [] });

  [['POST', '/terms/5/clubs', body], ['PUT', '/clubs/9', body], ['DELETE', '/clubs/9', undefined],
    ['POST', '/terms/5/selection-rounds', { name: '第二轮' }], ['POST', '/selection-rounds/4/draw', {}]]
    .forEach(([method, path, data]) => {
      const sent = fake.sent(method, path);
      expect(sent).toHaveLength(2);
      expect(sent[0].data).toEqual(data);
      expect(sent[0].header['Idempotency-Key']).toBeTruthy();
      expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key']);
    });

  // a seed chosen by the admin is sent; results and staff are plain reads
  fake.route('POST', '/selection-rounds/5/draw', { status: 200, body: {} });
  fake.route('GET', '/selection-rounds/4/results', { status: 200, body: {} });
  fake.route('GET', '/schools/1/staff', { status: 200, body: [] });
  await clubs.drawLottery(5, 'my-seed');
  await clubs.lotteryResults(4);
  await clubs.listStaff(1);
  expect(fake.calls.slice(-3).map((c) => [c.method, c.path, c.data])).toEqual([
    ['POST', '/selection-rounds/5/draw', { seed: 'my-seed' }],
    ['GET', '/selection-rounds/4/results', undefined],
    ['GET', '/schools/1/staff', undefined],
  ]);
});

test('uploadCover sends the picture as multipart field `file` to POST /clubs/{id}/cover', async () => {
  addUpload(fake);
  fake.route('POST', '/clubs/9/cover', { status: 200, body: { id: 9, cover_url: '/api/v1/clubs/9/cover/x.png?exp=1&sig=y' } });

  const club = await clubs.uploadCover(9, 'wxfile://tmp/cover.png');

  expect(club.cover_url).toBe('/api/v1/clubs/9/cover/x.png?exp=1&sig=y');
  const options = fake.wx.uploadFile.mock.calls[0][0];
  expect(options).toEqual(expect.objectContaining({ url: `${BASE_URL}/clubs/9/cover`, name: 'file', filePath: 'wxfile://tmp/cover.png' }));
  expect(options.header.Authorization).toBe('Bearer stored-token');
});

test('clubs by category: the categories\' own order, unknown ones last, each list as given', () => {
  const groups = clubs.groupByCategory([
    { id: 1, category: 'sport', category_label: '体育' },
    { id: 2, category: 'robots' },
    { id: 3, category: 'art', category_label: '艺术' },
    { id: 4, category: 'sport', category_label: '体育' },
  ]);
  expect(groups.map((g) => [g.key, g.label, g.clubs.map((c) => c.id)])).toEqual([
    ['art', '艺术', [3]], ['sport', '体育', [1, 4]], ['robots', 'robots', [2]],
  ]);
  expect(groups[0].color).toBe(clubs.CATEGORY_COLORS.art);
  expect(groups[2].color).toBe(clubs.CATEGORY_COLORS.other);
  expect(clubs.groupByCategory([])).toEqual([]);
});

test('fill rate and a round\'s state for the admin', () => {
  expect(clubs.fillRate(24, 30)).toBe(80);
  expect(clubs.fillRate(2, 3)).toBe(67);
  expect(clubs.fillRate(40, 40)).toBe(100);
  expect(clubs.fillRate(5, 0)).toBe(0);

  const now = Date.parse('2026-03-05T00:00:00Z');
  const round = (over) => ({ mode: 'lottery', opens_at: '2026-03-01T01:00:00Z', closes_at: '2026-03-04T01:00:00Z',
    is_open: false, drawn_at: null, ...over });
  expect(clubs.roundStatus(round({ opens_at: '2026-03-06T01:00:00Z', closes_at: '2026-03-08T01:00:00Z' }), now))
    .toEqual({ key: 'upcoming', label: '未开始', canDraw: false });
  expect(clubs.roundStatus(round({ closes_at: '2026-03-08T01:00:00Z', is_open: true }), now))
    .toEqual({ key: 'open', label: '进行中', canDraw: false });
  expect(clubs.roundStatus(round(), now)).toEqual({ key: 'ended', label: '已结束', canDraw: true });
  expect(clubs.roundStatus(round({ mode: 'first_come' }), now)).toEqual({ key: 'ended', label: '已结束', canDraw: false });
  expect(clubs.roundStatus(round({ drawn_at: '2026-03-04T02:00:00Z', seed: 'abc' }), now))
    .toEqual({ key: 'drawn', label: '已摇号', canDraw: false });
});
