const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME, CLASS_HEAD_ME, TERMS, apiError } = require('../helpers/enrollment-fixtures');
const { careGroup, secondGroup, groupsOut, NOT_PLACED } = require('../helpers/leave-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

function serve({ me = ADMIN_ME, listing = groupsOut() } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/care-groups', { status: 200, body: listing });
}

const open = () => openPage('care-groups');

function buildOut(listing, stats = {}) {
  return {
    ...listing, groups_created: 0, groups_removed: 0, newly_placed: 0, left: 0, tutors_added: 0, tutors_released: 0, ...stats,
  };
}

test('the term\'s groups: figures, warnings first, each group with its week', async () => {
  serve({ listing: groupsOut(undefined, [NOT_PLACED]) });
  const page = await open();

  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(text(page, '#fig-children')).toBe('83');
  expect(text(page, '#fig-placed')).toBe('82');
  expect(text(page, '#fig-unplaced')).toBe('1');
  expect(text(page, '#fig-groups')).toBe('2');
  expect(text(page, '#warnings')).toContain('需要处理（3 条）');
  expect(texts(page, '#warnings .warning__tag')).toEqual(['超过人数上限', '看护教师不足', '未分班']);
  expect(text(page, '#warnings')).toContain('周小雨（二年级1班）还没有分到看护班');

  const first = text(page, '#group-1');
  expect(first).toContain('一年级1班');
  expect(first).toContain('35 人');
  expect(first).toContain('一年级1班教室');
  expect(first).toContain('周一35人 · 2/2');
  expect(first).not.toContain('条提醒');
  const second = text(page, '#group-2');
  expect(second).toContain('三年级2班、三年级3班');
  expect(second).toContain('2 条提醒');
  expect(page.querySelectorAll('#group-2 .group__day--short')).toHaveLength(1);
  // the week over all groups: Wednesday is one tutor short
  expect(text(page, '#week-3')).toBe('周三82 人3 / 需 4 名');
  expect(page.querySelector('#week-3').dom.className).toContain('week__row--short');
  expect(text(page, '#build-btn')).toBe('更新临时班');
});

test('tapping a group opens its page', async () => {
  serve();
  const page = await open();
  await tap(page, '#group-2');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/care-group/index?group_id=2&term_id=5' });
});

test('生成 asks first; cancelled, nothing is built', async () => {
  serve({ listing: groupsOut([]) });
  const page = await open();
  expect(text(page, '#no-groups')).toContain('本学期还没有临时班');
  expect(text(page, '#build-btn')).toBe('生成临时班');

  fake.answerModal(false);
  await tap(page, '#build-btn');
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '生成临时班', confirmText: '生成' }));
  expect(fake.mutations()).toHaveLength(0);
  expect(page.instance.data.building).toBe(false);
});

test('a build: once (idempotent), its result with the week and its warnings, and the new listing', async () => {
  serve({ listing: groupsOut([]) });
  const page = await open();
  fake.answerModal(true);
  fake.route('POST', '/terms/5/care-groups/build', { status: 200, body: buildOut(groupsOut(), {
    groups_created: 2, newly_placed: 82, tutors_added: 19,
  }) });

  page.querySelector('#build-btn').dispatchEvent('tap');
  await tap(page, '#build-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/terms/5/care-groups/build');
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  const result = text(page, '#build-result');
  expect(result).toContain('新建 2 个临时班');
  expect(result).toContain('新安置 82 名学生');
  expect(result).toContain('新增看护安排 19 人次');
  expect(result).toContain('共 2 个临时班，已分班 82 人');
  expect(text(page, '#result-day-1')).toBe('周一82 人4 / 需 4 名');
  expect(text(page, '#result-day-3')).toBe('周三82 人3 / 需 4 名');
  expect(page.querySelector('#result-day-3').dom.className).toContain('week__row--short');
  expect(text(page, '#result-warnings')).toContain('仍有 2 条需要处理');
  expect(text(page, '#result-warnings')).toContain('三年级合班1有 47 人，超过每班 45 人的上限');
  expect(text(page, '#result-warnings')).toContain('三年级合班1周三留校 47 人，需看护教师 2 名，现有 1 名');
  // the listing is the build's: no second read
  expect(fake.sent('GET', '/terms/5/care-groups')).toHaveLength(1);
  expect(exists(page, '#group-1')).toBe(true);
  expect(text(page, '#warnings')).toContain('需要处理（2 条）');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已更新临时班' }));

  await tap(page, '#result-close');
  expect(exists(page, '#build-result')).toBe(false);
});

test('a rebuild that changes nothing says so, with no warnings', async () => {
  const clean = groupsOut([careGroup(), secondGroup({ warnings: [], members: 40 })]);
  serve({ listing: clean });
  const page = await open();
  fake.answerModal(true);
  fake.route('POST', '/terms/5/care-groups/build', { status: 200, body: buildOut(clean) });
  await tap(page, '#build-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '更新临时班' }));
  expect(text(page, '#build-result')).toContain('没有需要调整的');
  expect(text(page, '#result-ok')).toBe('没有违反分班规则的情况。');
  expect(exists(page, '#warnings')).toBe(false);
});

test('a refused build: the message, and the button free again', async () => {
  serve();
  const page = await open();
  fake.answerModal(true);
  fake.route('POST', '/terms/5/care-groups/build', apiError(409, 'BUILD_CONFLICT', '分班期间数据有变动，请重试'));
  await tap(page, '#build-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能分班', content: '分班期间数据有变动，请重试' }));
  expect(exists(page, '#build-result')).toBe(false);
  expect(page.instance.data.building).toBe(false);
});

test('many warnings: the first 20, then 查看全部', async () => {
  const many = Array.from({ length: 25 }, (_, i) => ({ ...NOT_PLACED, student_id: 100 + i, message: `学生${i}（二年级1班）还没有分到看护班` }));
  serve({ listing: groupsOut([careGroup()], many) });
  const page = await open();
  expect(page.querySelectorAll('#warnings .warning')).toHaveLength(20);
  expect(text(page, '#all-warnings')).toBe('查看全部 25 条');
  await tap(page, '#all-warnings');
  expect(page.querySelectorAll('#warnings .warning')).toHaveLength(25);
  expect(exists(page, '#all-warnings')).toBe(false);
});

test('only admins manage groups; a failed load can be retried', async () => {
  serve({ me: CLASS_HEAD_ME });
  let page = await open();
  expect(text(page, '#load-error')).toContain('仅教导处管理员可以管理临时班');

  serve();
  fake.route('GET', '/terms/5/care-groups', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), { status: 200, body: groupsOut() });
  page = await open();
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  await tap(page, '#retry-btn');
  expect(exists(page, '#group-1')).toBe(true);
  await flush();
});
