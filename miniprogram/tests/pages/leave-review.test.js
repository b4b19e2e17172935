const { fakeBackendEachTest } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { CLASS_HEAD_ME, GUARDIAN_ME, apiError } = require('../helpers/enrollment-fixtures');
const { NOW, leaveOut } = require('../helpers/leave-fixtures');

let fake;

fakeBackendEachTest(NOW, (f) => { fake = f; });

const CLASSES = [
  { id: 3, school_id: 1, grade: 1, number: 1, name: '一年级1班', head_staff_id: 4, head_staff_name: '张老师', student_count: 40 },
  { id: 4, school_id: 1, grade: 1, number: 2, name: '一年级2班', head_staff_id: 6, head_staff_name: '杨老师', student_count: 38 },
];

const PENDING = [
  leaveOut({ id: 71, student_name: '陈一一', dates: ['2026-03-11'], requested_at: '2026-03-10T01:30:00Z' }),
  leaveOut({
    id: 72, student_name: '赵二二', kind: 'early_pickup', early_pickup_time: '16:30', dates: ['2026-03-10'], urgent: true,
    requested_at: '2026-03-10T01:00:00Z',
  }),
  leaveOut({ id: 73, student_name: '孙三三', kind: 'personal', dates: ['2026-03-12', '2026-03-13'], reason: '回老家' }),
];

function serve({ me = CLASS_HEAD_ME, classes = CLASSES, leaves = PENDING } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/classes', { status: 200, body: classes });
  fake.route('GET', '/classes/3/leave-requests', { status: 200, body: leaves });
}

const open = () => openPage('leave-review');
const ids = (page) => page.instance.data.items.map((i) => i.id);

test('the class\'s waiting requests, urgent first and marked 紧急', async () => {
  serve();
  const page = await open();

  expect(fake.sent('GET', '/classes/3/leave-requests')[0].data).toEqual({ status: 'submitted' });
  expect(text(page, '#class-name')).toBe('示范小学 · 一年级1班');
  expect(text(page, '#pending-count')).toBe('待处理 3 条，紧急 1 条');
  expect(ids(page)).toEqual([72, 71, 73]);
  const urgent = text(page, '#leave-72');
  expect(urgent).toContain('赵二二');
  expect(urgent).toContain('紧急');
  expect(urgent).toContain('提前接走');
  expect(urgent).toContain('16:30 接走');
  expect(urgent).toContain('3月10日 周二');
  expect(page.querySelector('#leave-72').dom.className).toContain('leave--urgent');
  expect(text(page, '#leave-71')).not.toContain('紧急');
  expect(text(page, '#leave-73')).toContain('3月12日 周四、3月13日 周五');
  expect(text(page, '#leave-73')).toContain('原因：回老家');
  // only one class: no class switcher
  expect(exists(page, '#classes')).toBe(false);
});

test('知悉 sends the decision once with the optional comment, then the list is read again', async () => {
  serve();
  const page = await open();
  await type(page, '#leave-72 .comment-input', '已转告看护老师');
  fake.route('POST', '/leave-requests/72/decision', { status: 200, body: leaveOut({ id: 72, status: 'noted' }) });
  fake.route('GET', '/classes/3/leave-requests', { status: 200, body: [PENDING[0], PENDING[2]] });

  page.querySelector('#leave-72 .note-btn').dispatchEvent('tap');
  await tap(page, '#leave-72 .note-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/leave-requests/72/decision');
  expect(fake.mutations()[0].data).toEqual({ decision: 'note', comment: '已转告看护老师' });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已知悉' }));
  expect(exists(page, '#leave-72')).toBe(false);
  expect(text(page, '#pending-count')).toBe('待处理 2 条');
  expect(page.instance.data.busyId).toBe(0);
});

test('批准 without a comment sends the decision alone', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/leave-requests/71/decision', { status: 200, body: leaveOut({ id: 71, status: 'approved' }) });
  await tap(page, '#leave-71 .approve-btn');

  expect(fake.mutations()[0].data).toEqual({ decision: 'approve' });
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已批准' }));
});

test('cancelled or decided meanwhile: the server\'s message in a modal, and the list read again', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/leave-requests/71/decision', apiError(409, 'LEAVE_CANCELLED', '家长已撤销该请假'));
  const before = fake.sent('GET', '/classes/3/leave-requests').length;
  await tap(page, '#leave-71 .approve-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '无需处理', content: '家长已撤销该请假' }));
  expect(fake.sent('GET', '/classes/3/leave-requests').length).toBe(before + 1);

  fake.route('POST', '/leave-requests/73/decision', apiError(403, 'NOT_CLASS_HEAD', '只有该生的班主任或管理员可以处理请假'));
  await tap(page, '#leave-73 .note-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '只有该生的班主任或管理员可以处理请假' }));
});

test('filter by status and date; decided requests have no buttons', async () => {
  serve();
  const page = await open();
  fake.route('GET', '/classes/3/leave-requests', { status: 200, body: [
    leaveOut({ id: 74, status: 'approved', decided_at: '2026-03-10T01:40:00Z', decided_by_name: '张老师', comment: '注意休息' }),
  ] });
  await tap(page, '#status-approved');

  expect(fake.sent('GET', '/classes/3/leave-requests').pop().data).toEqual({ status: 'approved' });
  expect(exists(page, '#pending-count')).toBe(false);
  expect(text(page, '#leave-74')).toContain('已批准');
  expect(text(page, '#leave-74')).toContain('张老师 今天 09:40');
  expect(text(page, '#leave-74')).toContain('留言：注意休息');
  expect(exists(page, '#leave-74 .approve-btn')).toBe(false);
  expect(exists(page, '#leave-74 .comment-input')).toBe(false);

  await pick(page, '#date-picker', '2026-03-11');
  expect(fake.sent('GET', '/classes/3/leave-requests').pop().data).toEqual({ status: 'approved', date: '2026-03-11' });
  expect(text(page, '#date-value')).toBe('日期：2026-03-11');

  fake.route('GET', '/classes/3/leave-requests', { status: 200, body: [] });
  await tap(page, '#status-all');
  expect(fake.sent('GET', '/classes/3/leave-requests').pop().data).toEqual({ date: '2026-03-11' });
  expect(text(page, '#empty')).toBe('没有符合条件的请假。');

  await tap(page, '#date-clear');
  expect(fake.sent('GET', '/classes/3/leave-requests').pop().data).toEqual({});
  expect(exists(page, '#date-clear')).toBe(false);
});

test('a class head of two classes switches between them', async () => {
  serve({ classes: [CLASSES[0], { ...CLASSES[1], head_staff_id: 4 }] });
  fake.route('GET', '/classes/4/leave-requests', { status: 200, body: [] });
  const page = await open();

  expect(texts(page, '.chip').slice(0, 2)).toEqual(['一年级1班', '一年级2班']);
  await tap(page, '#class-4');
  expect(fake.sent('GET', '/classes/4/leave-requests')).toHaveLength(1);
  expect(text(page, '#class-name')).toBe('示范小学 · 一年级2班');
  expect(text(page, '#empty')).toBe('没有待处理的请假。');
});

test('not a class head, or heading no class: told so', async () => {
  serve({ me: GUARDIAN_ME });
  let page = await open();
  expect(text(page, '#load-error')).toContain('您还不是班主任');

  serve({ classes: [CLASSES[1]] });
  page = await open();
  expect(text(page, '#load-error')).toContain('您目前没有担任班主任的班级');
  expect(fake.sent('GET', '/classes/3/leave-requests')).toHaveLength(0);
});

test('a failed load can be retried', async () => {
  serve();
  fake.route('GET', '/classes/3/leave-requests', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), { status: 200, body: PENDING });
  const page = await open();
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  await tap(page, '#retry-btn');
  expect(ids(page)).toEqual([72, 71, 73]);
});
