const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, text, exists } = require('../helpers/render-page');
const { CLASS_HEAD_ME, GUARDIAN_ME, TERMS, application, signature, apiError } = require('../helpers/enrollment-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const PENDING = [
  application('submitted', { id: 41, student_id: 21, student_name: '陈一一', priority: ['migrant', 'low_income'], signature: signature(2) }),
  application('submitted', { id: 42, student_id: 22, student_name: '赵二二', pickup_mode: 'self', self_statement: '家在学校对面' }),
];

function serve(pending = PENDING, me = CLASS_HEAD_ME, silent = []) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/applications', { status: 200, body: pending });
  fake.route('GET', '/terms/5/applications/not-responded', { status: 200, body: silent });
}

const open = () => openPage('review');

test('the class head sees the pending applications of the current term, with what matters for review', async () => {
  serve();
  const page = await open();

  const list = fake.calls.find((c) => c.path === '/terms/5/applications');
  expect(list.data).toEqual({ status: 'submitted' });
  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(text(page, '#pending-count')).toBe('待审核 2 份');
  const first = text(page, '#item-41');
  expect(first).toContain('陈一一');
  expect(first).toContain('一年级1班');
  expect(first).toContain('进城务工随迁子女');
  expect(first).toContain('家庭经济困难');
  expect(first).toContain('周一至周五');
  expect(first).toContain('已签署');
  expect(first).toContain('2026-02-21 09:30');
  const second = text(page, '#item-42');
  expect(second).toContain('自行回家');
  expect(second).toContain('情况说明：家在学校对面');
  expect(second).toContain('未签署');
  // the API has no batch approval for class heads
  expect(exists(page, '#bulk-approve')).toBe(false);
});

test('families who have not answered are listed for the class head to follow up', async () => {
  serve(PENDING, CLASS_HEAD_ME, [
    { student_id: 31, student_name: '孙三三', class_id: 1, class_name: '一年级1班' },
    { student_id: 32, student_name: '李四四', class_id: 1, class_name: '一年级1班' },
  ]);
  const page = await open();

  expect(text(page, '#silent')).toContain('尚未回复（2 人）');
  expect(text(page, '#silent')).toContain('孙三三（一年级1班）');
  expect(text(page, '#silent')).toContain('李四四（一年级1班）');
});

test('nobody left to answer: no follow-up list', async () => {
  serve();
  const page = await open();

  expect(exists(page, '#silent')).toBe(false);
});

test('通过 approves one application once and takes it off the list', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications/41/review', { status: 200, body: application('class_approved', { id: 41 }) });
  await tap(page, '#item-41 .approve-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/applications/41/review');
  expect(fake.mutations()[0].data).toEqual({ decision: 'approve', comment: null });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#item-41')).toBe(false);
  expect(text(page, '#pending-count')).toBe('待审核 1 份');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已通过' }));
});

test('退回 needs a reason; with one it is sent and the item leaves the list', async () => {
  serve();
  const page = await open();

  await tap(page, '#item-42 .reject-btn');
  expect(exists(page, '#item-42 #reject-panel')).toBe(true);
  await tap(page, '#reject-confirm');
  expect(text(page, '#reject-error')).toBe('退回须填写原因，家长会看到');
  expect(fake.mutations()).toHaveLength(0);

  page.querySelector('#reject-reason').dispatchEvent('input', { detail: { value: ' 请补充接送人信息 ' } });
  await flush(1);
  expect(exists(page, '#reject-error')).toBe(false);
  fake.route('POST', '/applications/42/review', { status: 200, body: application('rejected', { id: 42 }) });
  await tap(page, '#reject-confirm');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].data).toEqual({ decision: 'reject', comment: '请补充接送人信息' });
  expect(exists(page, '#item-42')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已退回' }));
});

test('cancelling a return closes the reason box and sends nothing', async () => {
  serve();
  const page = await open();
  await tap(page, '#item-42 .reject-btn');
  await tap(page, '#reject-cancel');
  expect(exists(page, '#reject-panel')).toBe(false);
  expect(fake.mutations()).toHaveLength(0);
});

test('already handled elsewhere (withdrawn by the guardian): the Chinese message, then a fresh list', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications/41/review', apiError(409, 'APPLICATION_STATE', '申请当前状态为「已退出」，无需审核'));
  fake.route('GET', '/terms/5/applications', { status: 200, body: [PENDING[1]] });
  await tap(page, '#item-41 .approve-btn');

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '申请当前状态为「已退出」，无需审核', icon: 'none' }));
  expect(exists(page, '#item-41')).toBe(false);
  expect(exists(page, '#item-42')).toBe(true);
});

test('another class\'s application: CLASS_HEAD_ONLY is shown and the item stays', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications/41/review', apiError(403, 'CLASS_HEAD_ONLY', '须先由本班班主任审核'));
  await tap(page, '#item-41 .approve-btn');

  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '须先由本班班主任审核' }));
  expect(exists(page, '#item-41')).toBe(true);
  expect(page.instance.data.busyId).toBe(0);
});

test('nothing pending', async () => {
  serve([]);
  const page = await open();
  expect(text(page, '#empty')).toBe('本班暂无待审核的申请。');
});

test('someone who is not a class head is told so, in Chinese', async () => {
  serve(PENDING, GUARDIAN_ME);
  const page = await open();
  expect(text(page, '#load-error')).toContain('您还不是班主任');
  expect(fake.calls.some((c) => c.path === '/terms/5/applications')).toBe(false);
});

test('a failed load shows the server message and can be retried', async () => {
  serve();
  fake.route('GET', '/terms/5/applications', apiError(403, 'FORBIDDEN', '没有权限进行此操作'), { status: 200, body: PENDING });
  const page = await open();
  expect(text(page, '#load-error')).toContain('没有权限进行此操作');
  await tap(page, '#retry-btn');
  expect(text(page, '#pending-count')).toBe('待审核 2 份');
});
