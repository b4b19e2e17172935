const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, text, exists } = require('../helpers/render-page');
const { released, TEACHER_ME, GUARD_ME } = require('../helpers/pickup-fixtures');

// POST /pickup/walk-home names the school in its query (GET in its params)
const POST_PATH = '/pickup/walk-home?school_id=1';

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

/** WalkHomeChildOut. */
function walker(overrides = {}) {
  return {
    student_id: 7, name: '张小明', class_name: '三年级2班', photo_url: null, place: '三年级看护1班', end_time: '17:20',
    statement: '孩子家住学校对面，可自行回家。', may_leave_now: true, released: null, ...overrides,
  };
}

const LIST = [
  walker(),
  walker({ student_id: 9, name: '王小刚', class_name: '五年级1班', end_time: '17:30', may_leave_now: false }),
  walker({ student_id: 11, name: '李小华', released: released({ student_id: 11, student_name: '李小华', method: 'walk_home', method_label: '自行回家', adult_name: '李小华', relation: '', summary: '17:21 自行回家，王老师确认' }) }),
  walker({ student_id: 12, name: '赵小兰', class_name: '四年级2班' }),
];

function routes(list = LIST, profile = TEACHER_ME) {
  fake.route('GET', '/me', { status: 200, body: profile });
  fake.route('GET', '/pickup/walk-home', typeof list === 'function' ? list : { status: 200, body: list });
}

test('today\'s walk-home children: statement, end time, may they leave now, the ones gone', async () => {
  routes();
  const page = await openPage('pickup-walk-home');

  expect(fake.sent('GET', '/pickup/walk-home')[0].data).toEqual({ school_id: 1 });
  expect(text(page, '#kid-7')).toContain('情况说明：孩子家住学校对面，可自行回家。');
  expect(text(page, '#kid-7')).toContain('可以离校');
  expect(text(page, '#kid-9')).toContain('17:30 放学后可离校');
  expect(text(page, '#kid-11')).toContain('已离校');
  expect(text(page, '#kid-11')).toContain('17:21 自行回家，王老师确认');
  expect(text(page, '#ready-count')).toBe('可以离校 2 人');
  // nothing ticked before the teacher sees them at the door
  expect(text(page, '#release-btn')).toBe('放行');
});

test('tick, 放行 (confirm) → POST with the ids and a key → reloaded; not yet allowed cannot be ticked', async () => {
  let list = LIST;
  routes(() => ({ status: 200, body: list }));
  fake.route('POST', POST_PATH, (req) => {
    list = LIST.map((w) => (req.data.student_ids.indexOf(w.student_id) >= 0
      ? { ...w, released: released({ student_id: w.student_id, method: 'walk_home', summary: '17:25 自行回家，王老师确认' }) } : w));
    return { status: 200, body: { released: req.data.student_ids.map((id) => released({ student_id: id, method: 'walk_home' })) } };
  });
  fake.answerModal(true);
  const page = await openPage('pickup-walk-home');

  await tap(page, '#kid-9');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '17:30 放学后可离校' }));
  await tap(page, '#kid-7');
  await tap(page, '#kid-12');
  expect(text(page, '#release-btn')).toBe('放行（2 人）');

  await tap(page, '#release-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '放行 2 名学生？', content: expect.stringContaining('张小明、赵小兰') }));
  const sent = fake.sent('POST', POST_PATH);
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ student_ids: [7, 12] });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已放行 2 人' }));
  expect(text(page, '#kid-7')).toContain('17:25 自行回家，王老师确认');
  expect(text(page, '#release-btn')).toBe('放行');
});

test('全选 ticks every child who may leave now, and again un-ticks them', async () => {
  routes();
  const page = await openPage('pickup-walk-home');
  await tap(page, '#select-all');
  expect(text(page, '#release-btn')).toBe('放行（2 人）');
  expect(text(page, '#select-all')).toBe('全不选');
  await tap(page, '#select-all');
  expect(text(page, '#release-btn')).toBe('放行');
});

test('refused (too early, already gone): each child\'s reason on their card, in a modal too; nothing released', async () => {
  routes();
  fake.route('POST', POST_PATH, {
    status: 409,
    body: { error: { code: 'PICKUP_REFUSED', message: '有孩子不能交给此人，本次没有交接任何孩子', errors: [{ student_id: 12, code: 'WALK_HOME_TOO_EARLY', message: '17:30 放学后才能自行回家' }] } },
  });
  fake.answerModal(true);
  const page = await openPage('pickup-walk-home');
  await tap(page, '#kid-7');
  await tap(page, '#kid-12');
  await tap(page, '#release-btn');

  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '没有放行', content: '有孩子不能交给此人，本次没有交接任何孩子' }));
  expect(text(page, '#kid-12 >>> .pc__refusal')).toBe('17:30 放学后才能自行回家');
  expect(text(page, '#release-btn')).toBe('放行（1 人）');
});

test('no answer: the next tap sends the same request under the same key', async () => {
  routes();
  fake.route('POST', POST_PATH, { network: true }, { network: true }, { network: true },
    { status: 200, body: { released: [released({ method: 'walk_home' })] } });
  fake.answerModal(true);
  const page = await openPage('pickup-walk-home');
  await tap(page, '#kid-7');
  await tap(page, '#release-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: expect.stringContaining('没有放行') }));
  await tap(page, '#release-btn');

  const keys = fake.sent('POST', POST_PATH).map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
});

test('none today, and a guard (who may not release walkers) gets the error screen', async () => {
  routes([]);
  let page = await openPage('pickup-walk-home');
  expect(exists(page, '#no-children')).toBe(true);
  expect(exists(page, '#release-btn')).toBe(false);

  routes([], GUARD_ME);
  page = await openPage('pickup-walk-home');
  expect(text(page, '#load-error')).toContain('只有课后服务老师、班主任、值班领导可以放行');
});
