const { fakeBackendEachTest, answerOf, flush } = require('../helpers/fake-wx');
const {
  renderPage, openPage, tap, text, texts, exists,
} = require('../helpers/render-page');
const {
  NOW, TODAY, ADMIN_ME, DUTY_ME, point, dashboard, todayDashboard, board,
} = require('../helpers/report-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

/** GET /me, the board, and the school's report: today's when asked ?from=&to=, else the term's. */
function routes({ profile = ADMIN_ME, boardOut = board(), term = dashboard(), day = todayDashboard() } = {}) {
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/pickup/board', answerOf(boardOut));
  fake.route('GET', '/reports/schools/1', (req) => answerOf(req.data && req.data.from ? day : term));
}

const reportCalls = () => fake.sent('GET', '/reports/schools/1').map((c) => c.data);

test('today: the board\'s totals and the day\'s attendance, patrols and incidents; the school and the date', async () => {
  routes();
  const page = await openPage('principal');

  expect(fake.sent('GET', '/pickup/board')[0].data).toEqual({ school_id: 1 });
  expect(reportCalls()).toEqual(expect.arrayContaining([{ from: TODAY, to: TODAY }, undefined]));
  expect(reportCalls()).toHaveLength(2);

  expect(text(page, '#school-name')).toBe('示范小学');
  expect(text(page, '#date-title')).toBe('11月24日 周二');
  expect(text(page, '#updated')).toBe('，统计于 今天 16:25');
  expect(text(page, '#today-in-care')).toBe('80');
  expect(text(page, '#today-released')).toBe('71');
  expect(text(page, '#today-remaining')).toBe('9');
  expect(text(page, '#today-late')).toBe('2');
  expect(text(page, '#today-guard')).toBe('1');
  expect(text(page, '#today-clearance')).toBe('尚未清校');
  expect(text(page, '#today-present')).toBe('78');
  expect(text(page, '#today-expected')).toBe('80');
  expect(text(page, '#today-leave')).toBe('1');
  expect(text(page, '#today-absent')).toBe('2');
  expect(text(page, '#today-attendance-rate')).toBe('出勤率 97.5%');
  expect(text(page, '#today-patrols')).toBe('6/8');
  expect(text(page, '#today-incidents')).toBe('1');
  expect(text(page, '#today-incidents-open')).toBe('（1 件处理中）');
  expect(exists(page, '#not-served')).toBe(false);
});

test('this term: rates with what they count, late pickups, incidents by type, the fullest clubs, fees in 元, satisfaction', async () => {
  routes();
  const page = await openPage('principal');

  expect(text(page, '#term-title')).toBe('2026秋季学期（9月1日 – 11月24日）');
  expect(text(page, '#participation-rate')).toBe('79.08%');
  expect(text(page, '#participation-approved')).toBe('760');
  expect(text(page, '#participation-eligible')).toBe('961');
  expect(text(page, '#attendance-rate')).toBe('96.88%');
  expect(text(page, '#attendance-counts')).toBe('已到 6200 / 应到 6400 人次');
  expect(text(page, '#teacher-rate')).toBe('96%');
  expect(text(page, '#teacher-counts')).toBe('48 / 50 位教师');
  expect(text(page, '#patrol-rate')).toBe('96.67%');
  expect(text(page, '#patrol-counts')).toBe('870 / 900 次');
  expect(text(page, '#late-pickups')).toBe('40');
  expect(text(page, '#late-guard')).toBe('其中交门卫 3 人次');

  expect(text(page, '#incidents-total')).toBe('共 5 件，1 件处理中');
  expect(texts(page, '.incident-type').map((t) => t.replace(/\s+/g, ' '))).toEqual(['受伤3', '身体不适2']);

  // fullest first (a waitlist breaks the tie), five of six
  expect(texts(page, '.club__name')).toEqual(['合唱', '国画', '篮球', '书法', '儿童画']);
  expect(text(page, '#club-4 .club__nums')).toBe('40/40 · 100%· 候补 5');
  expect(text(page, '#club-3 .club__nums')).toBe('23/30 · 76.67%');
  expect(page.querySelector('#club-6 .club__fill').dom.getAttribute('style')).toContain('width: 91.67%');
  expect(text(page, '#clubs .card__sub')).toBe('共 6 个社团，最满的 5 个');

  expect(text(page, '#fee-billed')).toBe('228,000 元');
  expect(text(page, '#fee-waived')).toBe('7,200.50 元');
  expect(text(page, '#fee-due')).toBe('220,799.50 元');
  expect(text(page, '#fee-waivers')).toBe('减半 2 人，全免 24 人');

  expect(text(page, '#satisfaction-rate')).toBe('98.75%');
  expect(text(page, '#satisfaction-counts')).toBe('1 份问卷，80 人作答');
});

test('the daily attendance as bars (heights in %, a low day marked); a tap says the day, kept across a reload', async () => {
  routes();
  const page = await openPage('principal');

  const bars = page.querySelectorAll('.bar');
  expect(bars).toHaveLength(3);
  const fills = page.querySelectorAll('.bar__fill');
  expect(fills.map((f) => f.dom.getAttribute('style'))).toEqual(['height: 95%', 'height: 88%', 'height: 98%']);
  expect(fills[1].dom.className).toContain('bar__fill--low');
  expect(fills[0].dom.className).not.toContain('bar__fill--low');
  expect(text(page, '#bars-first')).toBe('11月20日');
  expect(text(page, '#bars-last')).toBe('11月24日');
  // the last day picked at first
  expect(bars[2].dom.className).toContain('bar--on');
  expect(text(page, '#bar-text')).toBe('11月24日 已到 78/80 人（98%），请假 1，缺席 2');

  bars[1].dispatchEvent('tap');
  await flush(20);
  expect(text(page, '#bar-text')).toBe('11月23日 已到 70/80 人（88%），请假 2，缺席 10');
  expect(page.querySelectorAll('.bar')[1].dom.className).toContain('bar--on');

  await page.instance.onPullDownRefresh();
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
  expect(text(page, '#bar-text')).toContain('11月23日');
});

test('only the last 30 service days are drawn', async () => {
  const series = [];
  for (let d = 0; d < 40; d += 1) series.push(point(new Date(Date.UTC(2026, 9, 1 + d)).toISOString().slice(0, 10), 10, d % 10, 0));
  routes({ term: dashboard({ attendance: { ...dashboard().attendance, series } }) });
  const page = await openPage('principal');

  expect(page.querySelectorAll('.bar')).toHaveLength(30);
  expect(text(page, '#attendance-bars .card__sub')).toBe('最近 30 个服务日');
  expect(text(page, '#bars-first')).toBe('10月11日');
  expect(text(page, '#bars-last')).toBe('11月9日');
});

test('a day without service, a cleared school, nothing yet this term: said plainly', async () => {
  routes({
    boardOut: board({
      served: true, remaining: 0, released: 80,
      clearance: { date: TODAY, cleared_at: `${TODAY}T10:05:00Z`, cleared_by: '赵主任', released_count: 80 },
    }),
    term: dashboard({
      incidents: { total: 0, open: 0, by_type: {} },
      clubs: [],
      attendance: { series: [], expected: 0, present: 0, leave: 0, absent: 0, attendance_rate: 0 },
      satisfaction: { surveys: [], satisfied_rate: 0 },
    }),
  });
  let page = await openPage('principal');
  expect(text(page, '#today-clearance')).toBe('已清校 18:05 · 赵主任');
  expect(exists(page, '#no-incidents')).toBe(true);
  expect(exists(page, '.incident-type')).toBe(false);
  expect(exists(page, '#no-clubs')).toBe(true);
  expect(exists(page, '#no-bars')).toBe(true);
  expect(text(page, '#no-satisfaction')).toBe('暂无');
  expect(exists(page, '#satisfaction-rate')).toBe(false);
  expect(text(page, '#attendance-rate')).toBe('0%');

  routes({
    boardOut: board({ served: false, in_care: 0, released: 0, remaining: 0, late: 0, with_guard: 0 }),
    day: todayDashboard({
      attendance: { series: [], expected: 0, present: 0, leave: 0, absent: 0, attendance_rate: 0 },
      patrols: { due: 0, done: 0, rate: 0 },
      incidents: { total: 0, open: 0, by_type: {} },
    }),
  });
  page = await openPage('principal');
  expect(exists(page, '#not-served')).toBe(true);
  expect(exists(page, '#today-remaining')).toBe(false);
  expect(text(page, '#today-incidents')).toBe('0');
  // the term still shows
  expect(text(page, '#participation-rate')).toBe('79.08%');
});

test('a today outside the term (the report answers for another day): no attendance for today', async () => {
  routes({ day: todayDashboard({ from: '2026-12-01', to: '2026-12-01' }) });
  const page = await openPage('principal');

  expect(exists(page, '#today-not-in-term')).toBe(true);
  expect(exists(page, '#today-present')).toBe(false);
  expect(exists(page, '#today-patrols')).toBe(false);
  expect(text(page, '#today-remaining')).toBe('9');
});

test('the first load failing shows the server\'s word and 重新加载; a later failure keeps the numbers and toasts', async () => {
  routes();
  fake.route('GET', '/reports/schools/1', answerOf({ status: 404, body: { error: { code: 'TERM_NOT_FOUND', message: '未找到该学期' } } }));
  const page = await openPage('principal');

  expect(text(page, '#load-error')).toContain('未找到该学期');
  expect(exists(page, '#participation-rate')).toBe(false);
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  routes();
  await tap(page, '#retry-btn');
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#participation-rate')).toBe('79.08%');

  fake.route('GET', '/pickup/board', { network: true });
  await page.instance.onShow();
  await flush();
  expect(text(page, '#participation-rate')).toBe('79.08%');
  expect(text(page, '#today-remaining')).toBe('9');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络不给力，请稍后再试' }));
});

test('someone who is not the school\'s admin is told so, and nothing is asked of the reports', async () => {
  routes({ profile: DUTY_ME });
  const page = await openPage('principal');

  expect(text(page, '#load-error')).toContain('只有学校管理员可以查看校长看板');
  expect(reportCalls()).toHaveLength(0);
  expect(fake.sent('GET', '/pickup/board')).toHaveLength(0);
});

test('the links open the board, the day\'s report and the incidents; home → 校长看板 for admins', async () => {
  routes();
  const page = await openPage('principal');
  await tap(page, '#board-link');
  await tap(page, '#duty-report-link');
  await tap(page, '#incidents-link');
  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/pickup-board/index', '/pages/duty-report/index', '/pages/incidents/index',
  ]);

  fake.wx.navigateTo.mockClear();
  const showHome = async () => {
    const home = renderPage('home');
    await home.instance.onShow();
    return home;
  };
  const home = await showHome();
  expect(text(home, '.entry--principal')).toContain('校长看板');
  expect(home.querySelector('.entry--principal').dom.className).not.toContain('entry--disabled');
  await tap(home, '.entry--principal');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/principal/index' }));

  fake.route('GET', '/me', answerOf(DUTY_ME));
  const staffHome = await showHome();
  expect(exists(staffHome, '.entry--principal')).toBe(false);
});
