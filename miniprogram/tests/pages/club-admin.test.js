/** pages/club-admin: fill rates by category, totals, open / close a club, the rounds, a new round, the draw. */
const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME, TERMS, club } = require('../helpers/club-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

// one of the admin's clubs (ClubOut without a child's fields): 书法 unless told otherwise
const adminClub = (overrides) => club({
  name: '书法', teacher_name: '李娟', venue: '书法教室', weekdays: [1], grades: [3, 4, 5, 6], enrolled: 24, may_choose: null,
  ...overrides,
});

// the server sorts by category key (art, science, sport): the page groups in its own category order
const CLUBS = [
  adminClub({ id: 1 }),
  adminClub({ id: 5, name: '舞蹈', weekdays: [2, 4], capacity: 24, enrolled: 24, waitlisted: 11, teacher_name: '程娟', grades: [1, 2, 3, 4] }),
  adminClub({ id: 12, name: '机器人', category: 'science', category_label: '科技', capacity: 20, enrolled: 0, teacher_staff_id: null, teacher_name: null, venue: '' }),
  adminClub({ id: 9, name: '跳绳', category: 'sport', category_label: '体育', weekdays: [5], capacity: 40, enrolled: 26, min_to_open: 30, grades: [1, 2, 3] }),
];

const ROUNDS = [
  { id: 3, term_id: 5, name: '第二轮（摇号）', mode: 'lottery', opens_at: '2026-03-01T01:00:00Z', closes_at: '2026-03-04T01:00:00Z',
    drop_deadline: null, max_per_child: 2, priority_first: true, seed: 'feed1234', drawn_at: '2026-03-04T02:00:00Z', is_open: false },
  { id: 1, term_id: 5, name: '第一轮选课', mode: 'first_come', opens_at: '2026-02-20T01:00:00Z', closes_at: '2099-03-14T04:00:00Z',
    drop_deadline: '2099-03-14T04:00:00Z', max_per_child: 2, priority_first: false, seed: null, drawn_at: null, is_open: true },
  { id: 4, term_id: 5, name: '社团摇号', mode: 'lottery', opens_at: '2026-03-05T01:00:00Z', closes_at: '2026-03-06T01:00:00Z',
    drop_deadline: null, max_per_child: 1, priority_first: false, seed: null, drawn_at: null, is_open: false },
  { id: 6, term_id: 5, name: '补选', mode: 'first_come', opens_at: '2099-04-01T01:00:00Z', closes_at: '2099-04-03T10:00:00Z',
    drop_deadline: null, max_per_child: 3, priority_first: false, seed: null, drawn_at: null, is_open: false },
];

function routes({ clubs = CLUBS, rounds = ROUNDS, me = ADMIN_ME } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/clubs', typeof clubs === 'function' ? clubs : { status: 200, body: clubs });
  fake.route('GET', '/terms/5/selection-rounds', typeof rounds === 'function' ? rounds : { status: 200, body: rounds });
}

const showAdmin = (query = {}) => openPage('club-admin', query);

test('the term\'s clubs, grouped by category, with 已选/名额, a bar, 候补 N, and the totals at the top', async () => {
  routes();
  const page = await showAdmin();

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /me', 'GET /schools/1/terms', 'GET /terms/5/clubs', 'GET /terms/5/selection-rounds',
  ]);
  // the whole catalogue, not one child's view of it
  expect(fake.sent('GET', '/terms/5/clubs')[0].data).toBeUndefined();
  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');

  // 114 seats, 74 taken (65%), 40 free, 11 waiting
  expect(text(page, '#total-clubs')).toBe('4');
  expect(text(page, '#total-capacity')).toBe('114');
  expect(text(page, '#total-enrolled')).toBe('74');
  expect(text(page, '#total-rate')).toBe('65%');
  expect(text(page, '#total-free')).toBe('40');
  expect(text(page, '#total-waitlisted')).toBe('11');

  // 艺术, 体育, 科技 — the categories' own order, not the server's
  expect(texts(page, '.group__name')).toEqual(['艺术', '体育', '科技']);
  expect(text(page, '#group-art .group__meta')).toBe('2 个 · 已选 48/54 · 89%');
  expect(texts(page, '#group-art .club__name')).toEqual(['书法', '舞蹈']);
  expect(texts(page, '#group-sport .club__name')).toEqual(['跳绳']);

  expect(text(page, '#club-1 .fill__count')).toBe('已选 24/30');
  expect(text(page, '#club-1 .fill__rate')).toBe('80%');
  expect(page.querySelector('#club-1 .fill__value').dom.getAttribute('style')).toContain('width: 80%');
  expect(text(page, '#club-1')).toContain('周一 16:00–16:40 · 书法教室');
  expect(text(page, '#club-1')).toContain('李娟 · 三至六年级');
  expect(exists(page, '#club-1 .club__waitlist')).toBe(false);
  expect(exists(page, '#club-1 .badge--full')).toBe(false);

  // full, with a waitlist
  expect(text(page, '#club-5 .fill__count')).toBe('已选 24/24');
  expect(page.querySelector('#club-5 .fill__value').dom.className).toContain('fill__value--full');
  expect(text(page, '#club-5 .badge--full')).toBe('已满');
  expect(text(page, '#club-5 .club__waitlist')).toBe('候补 11');

  // below the minimum to open; an empty club without a teacher
  expect(text(page, '#club-9 .club__min')).toBe('开班至少 30 人，还差 4 人');
  expect(text(page, '#club-12 .fill__count')).toBe('已选 0/20');
  expect(page.querySelector('#club-12 .fill__value').dom.getAttribute('style')).toContain('width: 0%');
  expect(text(page, '#club-12')).toContain('未指定教师');
});

test('tap a club to edit it; 新建社团 opens the form for this term', async () => {
  routes();
  const page = await showAdmin();

  page.querySelector('#club-5').dispatchEvent('tap');
  await tap(page, '#new-club-btn');

  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/club-edit/index?club_id=5&school_id=1',
    '/pages/club-edit/index?term_id=5&school_id=1',
  ]);
});

test('停开 asks first (naming who is in it); cancel sends nothing, confirm closes the club and reloads', async () => {
  let closed = false;
  routes({ clubs: () => ({ status: 200, body: closed ? CLUBS.filter((c) => c.id !== 5) : CLUBS }) });
  fake.route('DELETE', '/clubs/5', () => { closed = true; return { status: 204 }; });
  const page = await showAdmin();

  fake.answerModal(false);
  await page.instance.onCloseClub({ currentTarget: { dataset: { id: 5 } } });
  expect(fake.wx.showModal).toHaveBeenCalledTimes(1);
  const asked = fake.wx.showModal.mock.calls[0][0];
  expect(asked.title).toBe('停开社团');
  expect(asked.content).toContain('确定停开「舞蹈」吗？');
  expect(asked.content).toContain('已选上 24 人、候补 11 人的记录会保留');
  expect(asked.confirmText).toBe('停开');
  expect(fake.sent('DELETE', '/clubs/5')).toHaveLength(0);
  expect(exists(page, '#club-5')).toBe(true);

  // the button in the card closes, it does not open the club
  fake.answerModal(true);
  page.querySelector('#club-5 .close-btn').dispatchEvent('tap');
  await flush(10);
  expect(fake.wx.navigateTo).not.toHaveBeenCalled();
  expect(fake.sent('DELETE', '/clubs/5')).toHaveLength(1);
  expect(fake.sent('DELETE', '/clubs/5')[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已停开' }));
  expect(exists(page, '#club-5')).toBe(false);
  expect(text(page, '#total-clubs')).toBe('3');
  expect(text(page, '#total-waitlisted')).toBe('0');
  expect(page.instance.data.closingId).toBe(0);
});

test('a club nobody chose is closed with a plain question; a refusal shows the server\'s message', async () => {
  routes();
  fake.route('DELETE', '/clubs/12', { status: 404, body: { error: { code: 'CLUB_NOT_FOUND', message: '未找到该社团' } } });
  const page = await showAdmin();
  fake.answerModal(true);

  await page.instance.onCloseClub({ currentTarget: { dataset: { id: 12 } } });

  expect(fake.wx.showModal.mock.calls[0][0].content).toBe('确定停开「机器人」吗？停开后家长不能再选这个社团。');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '未找到该社团' }));
  expect(fake.sent('GET', '/terms/5/clubs')).toHaveLength(2);
});

test('rounds: 未开始 / 进行中 / 已结束 / 已摇号, 摇号 only for the closed, undrawn lottery', async () => {
  routes();
  const page = await showAdmin();

  // in opening order
  expect(texts(page, '.round__name')).toEqual(['第一轮选课', '第二轮（摇号）', '社团摇号', '补选']);
  expect(text(page, '#round-1 .round__state')).toBe('进行中');
  expect(text(page, '#round-1')).toContain('先到先得');
  expect(text(page, '#round-1')).toContain('2026-02-20 09:00 至 2099-03-14 12:00');
  expect(text(page, '#round-1')).toContain('退选截止 2099-03-14 12:00');
  expect(text(page, '#round-3 .round__state')).toBe('已摇号');
  expect(text(page, '#round-3 .round__seed')).toBe('种子 feed1234');
  expect(text(page, '#round-3')).toContain('优先保障群体先录');
  expect(text(page, '#round-4 .round__state')).toBe('已结束');
  expect(text(page, '#round-4')).toContain('每人最多 1 个 · 不设优先');
  expect(text(page, '#round-6 .round__state')).toBe('未开始');

  expect(page.querySelectorAll('.draw-btn')).toHaveLength(1);
  expect(exists(page, '#round-4 .draw-btn')).toBe(true);
  ['#round-1', '#round-3', '#round-6'].forEach((id) => expect(exists(page, `${id} .draw-btn`)).toBe(false));
  expect(exists(page, '#round-3 .result-btn')).toBe(true);
  expect(exists(page, '#round-4 .result-btn')).toBe(false);
});

const openRoundForm = (page) => tap(page, '#new-round-btn');

test('a new round: checked here, then sent in Beijing time with the zone; the list shows it', async () => {
  let created = null;
  routes({ rounds: () => ({ status: 200, body: created ? ROUNDS.concat(created) : ROUNDS }) });
  fake.route('POST', '/terms/5/selection-rounds', (req) => {
    created = { id: 7, term_id: 5, seed: null, drawn_at: null, is_open: false, ...req.data,
      opens_at: '2099-05-01T00:00:00Z', closes_at: '2099-05-03T12:30:00Z', drop_deadline: '2099-05-10T10:00:00Z' };
    return { status: 201, body: created };
  });
  const page = await showAdmin();
  await openRoundForm(page);
  expect(exists(page, '#round-form')).toBe(true);
  expect(exists(page, '#new-round-btn')).toBe(false);
  // first come by default: no priority switch, no drop deadline
  expect(page.querySelector('#mode-first_come').dom.className).toContain('option--on');
  expect(exists(page, '#priority-switch')).toBe(false);
  expect(exists(page, '#drop-date')).toBe(false);

  // no name; closing before opening
  await pick(page, '#opens-date', '2099-05-01');
  await pick(page, '#opens-time', '08:00');
  await pick(page, '#closes-date', '2099-05-01');
  await pick(page, '#closes-time', '07:00');
  await tap(page, '#round-submit');
  expect(text(page, '#round-name-error')).toBe('请填写轮次名称');
  expect(text(page, '#closes-error')).toBe('截止时间须晚于开始时间');
  expect(text(page, '#round-form-error')).toBe('请按提示修改');
  expect(fake.sent('POST', '/terms/5/selection-rounds')).toHaveLength(0);

  // a drop deadline before the opening is refused too
  await type(page, '#round-name', ' 第三轮（摇号） ');
  page.querySelector('#mode-lottery').dispatchEvent('tap');
  await pick(page, '#closes-date', '2099-05-03');
  await pick(page, '#closes-time', '20:30');
  page.querySelector('#drop-switch').dispatchEvent('change', { detail: { value: true } });
  await flush();
  await pick(page, '#drop-date', '2099-04-30');
  await pick(page, '#drop-time', '18:00');
  await tap(page, '#round-submit');
  expect(exists(page, '#round-name-error')).toBe(false);
  expect(exists(page, '#closes-error')).toBe(false);
  expect(text(page, '#drop-error')).toBe('退选截止不能早于开始时间');
  expect(fake.sent('POST', '/terms/5/selection-rounds')).toHaveLength(0);

  await pick(page, '#drop-date', '2099-05-10');
  await pick(page, '#max-picker', 2);
  expect(exists(page, '#priority-switch')).toBe(true);
  page.querySelector('#priority-switch').dispatchEvent('change', { detail: { value: false } });
  await flush();
  expect(text(page, '#max-picker')).toBe('3 个社团');
  await page.instance.onSubmitRound();

  const posts = fake.sent('POST', '/terms/5/selection-rounds');
  expect(posts).toHaveLength(1);
  expect(posts[0].data).toEqual({
    name: '第三轮（摇号）',
    mode: 'lottery',
    opens_at: '2099-05-01T08:00:00+08:00',
    closes_at: '2099-05-03T20:30:00+08:00',
    drop_deadline: '2099-05-10T18:00:00+08:00',
    max_per_child: 3,
    priority_first: false,
  });
  expect(posts[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已新建轮次' }));
  expect(exists(page, '#round-form')).toBe(false);
  expect(text(page, '#round-7 .round__state')).toBe('未开始');
  expect(text(page, '#round-7')).toContain('2099-05-01 08:00 至 2099-05-03 20:30');
});

test('a first-come round is sent without priority and without a drop deadline unless one is set', async () => {
  routes();
  fake.route('POST', '/terms/5/selection-rounds', { status: 201, body: { id: 8 } });
  const page = await showAdmin();
  await openRoundForm(page);
  await type(page, '#round-name', '补选');
  await pick(page, '#opens-date', '2099-06-01');
  await pick(page, '#opens-time', '12:00');
  await pick(page, '#closes-date', '2099-06-02');
  await pick(page, '#closes-time', '12:00');

  await page.instance.onSubmitRound();

  expect(fake.sent('POST', '/terms/5/selection-rounds')[0].data).toEqual({
    name: '补选', mode: 'first_come', opens_at: '2099-06-01T12:00:00+08:00', closes_at: '2099-06-02T12:00:00+08:00',
    drop_deadline: null, max_per_child: 2, priority_first: false,
  });
});

test('a drop deadline at the opening itself is accepted, as the server accepts it', async () => {
  routes();
  fake.route('POST', '/terms/5/selection-rounds', { status: 201, body: { id: 8 } });
  const page = await showAdmin();
  await openRoundForm(page);
  await type(page, '#round-name', '补选');
  await pick(page, '#opens-date', '2099-06-01');
  await pick(page, '#opens-time', '12:00');
  await pick(page, '#closes-date', '2099-06-02');
  await pick(page, '#closes-time', '12:00');
  page.querySelector('#drop-switch').dispatchEvent('change', { detail: { value: true } });
  await flush();
  await pick(page, '#drop-date', '2099-06-01');
  await pick(page, '#drop-time', '12:00');

  await page.instance.onSubmitRound();

  expect(exists(page, '#drop-error')).toBe(false);
  expect(fake.sent('POST', '/terms/5/selection-rounds')[0].data.drop_deadline).toBe('2099-06-01T12:00:00+08:00');
});

test('the server\'s field errors show on the round form; an error without fields above the buttons', async () => {
  routes();
  fake.route('POST', '/terms/5/selection-rounds',
    { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：name长度不能超过 50 个字符', fields: { name: '长度不能超过 50 个字符' } } } },
    { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：取值不正确', fields: { body: '取值不正确' } } } });
  const page = await showAdmin();
  await openRoundForm(page);
  await type(page, '#round-name', '很长的名字');

  await page.instance.onSubmitRound();
  expect(text(page, '#round-name-error')).toBe('长度不能超过 50 个字符');
  expect(text(page, '#round-form-error')).toBe('请按提示修改');
  expect(exists(page, '#round-form')).toBe(true);
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  await page.instance.onSubmitRound();
  expect(exists(page, '#round-name-error')).toBe(false);
  expect(text(page, '#round-form-error')).toBe('输入有误：取值不正确');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '输入有误：取值不正确' }));
  expect(page.instance.data.savingRound).toBe(false);

  await tap(page, '#round-cancel');
  expect(exists(page, '#round-form')).toBe(false);
});

const DRAW = {
  round_id: 4,
  seed: '452483e585602e44',
  clubs: [
    { club_id: 1, name: '书法', enrolled: ['王小明', '李小红'], waitlisted: [] },
    { club_id: 5, name: '舞蹈', enrolled: ['张小兰'], waitlisted: ['赵小强', '钱小军'] },
    { club_id: 9, name: '跳绳', enrolled: [], waitlisted: [] },
    { club_id: 12, name: '机器人', enrolled: [], waitlisted: [] },
  ],
};

test('摇号: confirm, one idempotent request, then the recorded seed and each club\'s result; the list reloads', async () => {
  let drawn = false;
  routes({
    rounds: () => ({
      status: 200,
      body: ROUNDS.map((r) => (r.id === 4 && drawn ? { ...r, seed: DRAW.seed, drawn_at: '2026-03-06T02:00:00Z' } : r)),
    }),
  });
  fake.route('POST', '/selection-rounds/4/draw', () => { drawn = true; return { status: 200, body: DRAW }; });
  const page = await showAdmin();

  fake.answerModal(false);
  await page.instance.onDraw({ currentTarget: { dataset: { id: 4 } } });
  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('确定为「社团摇号」摇号吗？');
  expect(fake.sent('POST', '/selection-rounds/4/draw')).toHaveLength(0);

  fake.answerModal(true);
  page.querySelector('#round-4 .draw-btn').dispatchEvent('tap');
  await flush(10);

  const draws = fake.sent('POST', '/selection-rounds/4/draw');
  expect(draws).toHaveLength(1);
  expect(draws[0].data).toEqual({});
  expect(draws[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#draw-seed')).toBe('随机种子：452483e585602e44');
  expect(text(page, '#draw-result')).toContain('社团摇号 · 摇号结果');
  expect(text(page, '#draw-result')).toContain('录取 3 人次，候补 2 人次');
  expect(texts(page, '.result__name')).toEqual(['书法', '舞蹈']);
  expect(text(page, '#result-club-1 .result__enrolled')).toBe('录取 2 人：王小明、李小红');
  expect(text(page, '#result-club-5 .result__waitlisted')).toBe('候补 2 人：赵小强、钱小军');
  expect(text(page, '#draw-result')).toContain('其余 2 个社团无人填报。');
  // reloaded: the round is drawn now, seats may have changed
  expect(text(page, '#round-4 .round__state')).toBe('已摇号');
  expect(exists(page, '#round-4 .draw-btn')).toBe(false);
  expect(fake.sent('GET', '/terms/5/clubs')).toHaveLength(2);

  await tap(page, '#result-close');
  expect(exists(page, '#draw-result')).toBe(false);
});

test('a drawn round\'s results can be read again; a refused draw shows why', async () => {
  routes();
  fake.route('GET', '/selection-rounds/3/results', { status: 200, body: { ...DRAW, round_id: 3, seed: 'feed1234', clubs: DRAW.clubs.map((c) => ({ ...c, enrolled: [], waitlisted: [] })) } });
  fake.route('POST', '/selection-rounds/4/draw',
    { status: 409, body: { error: { code: 'LOTTERY_DRAWN', message: '已于 2026-03-06 10:00 摇号，种子 abc' } } });
  const page = await showAdmin();

  await tap(page, '#round-3 .result-btn');
  expect(text(page, '#draw-seed')).toBe('随机种子：feed1234');
  expect(text(page, '#result-empty')).toBe('本轮没有人填报志愿。');

  fake.answerModal(true);
  await page.instance.onDraw({ currentTarget: { dataset: { id: 4 } } });
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({
    title: '未能摇号', content: '已于 2026-03-06 10:00 摇号，种子 abc',
  }));
  expect(page.instance.data.drawingId).toBe(0);
  // the earlier result stays as it was
  expect(text(page, '#draw-seed')).toBe('随机种子：feed1234');
});

test('someone who is not an admin is told so; a failed load can be retried', async () => {
  routes({ me: { ...ADMIN_ME, roles: ['teacher'], schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 3 }] } });
  let page = await showAdmin();
  expect(text(page, '#load-error')).toContain('仅教导处管理员可以管理社团');
  expect(fake.sent('GET', '/terms/5/clubs')).toHaveLength(0);

  fake = setUpFakeBackend();
  routes({ clubs: () => ({ status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' } } }) });
  page = await showAdmin();
  expect(text(page, '#load-error')).toContain('服务器开小差了，请稍后再试');
  routes();
  await page.instance.onRetry();
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#total-clubs')).toBe('4');
});
