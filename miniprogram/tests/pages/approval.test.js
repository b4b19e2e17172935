const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, text, exists } = require('../helpers/render-page');
const { ADMIN_ME, CLASS_HEAD_ME, TERMS, application, signature, apiError } = require('../helpers/enrollment-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const SUMMARY = {
  term_id: 5, eligible: 960,
  by_status: { submitted: 30, class_approved: 3, approved: 800, rejected: 2, withdrawn: 5, declined: 60 },
  participation_rate: 83.33,
  by_grade: [
    { key: '1', label: '一年级', eligible: 480, applied: 400, approved: 390, declined: 30, not_responded: 40 },
    { key: '2', label: '二年级', eligible: 480, applied: 435, approved: 410, declined: 30, not_responded: 20 },
  ],
  by_class: [],
  by_priority: [
    { key: 'migrant', label: '进城务工随迁子女', approved: 69, share_of_approved: 8.63, text: '随迁子女 69 人，占 8.63%' },
    { key: 'disabled', label: '残疾儿童', approved: 0, share_of_approved: 0, text: '残疾儿童 0 人，占 0%' },
  ],
  declined_reasons: [], not_responded: {}, capacity: 900, waiting: 3,
};

const QUEUE = [
  application('class_approved', { id: 51, student_id: 61, student_name: '孙优先', priority: ['left_behind'], signature: signature(2) }),
  application('class_approved', { id: 52, student_id: 62, student_name: '周二', class_name: '二年级3班' }),
  application('class_approved', { id: 53, student_id: 63, student_name: '吴三', pickup_mode: 'self', self_statement: '家近' }),
];

function serve({ me = ADMIN_ME, queue = QUEUE } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/applications/summary', { status: 200, body: SUMMARY });
  fake.route('GET', '/terms/5/applications/queue', { status: 200, body: queue });
}

const open = () => openPage('approval');

test('summary figures and the waiting queue in approval order', async () => {
  serve();
  const page = await open();

  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(text(page, '#fig-eligible')).toBe('960');
  expect(text(page, '#fig-applied')).toBe('835'); // submitted + class_approved + approved + rejected
  expect(text(page, '#fig-approved')).toBe('800');
  expect(text(page, '#fig-pending-admin')).toBe('3');
  expect(text(page, '#fig-pending-class')).toBe('30');
  expect(text(page, '#fig-declined')).toBe('60');
  expect(text(page, '#fig-withdrawn')).toBe('5');
  expect(text(page, '#fig-not-responded')).toBe('60');
  expect(text(page, '#fig-rate')).toBe('83.33%');
  expect(text(page, '#capacity')).toBe('名额 900，剩余 100');
  expect(page.querySelectorAll('.priority-line')).toHaveLength(1);
  expect(text(page, '.priority-line')).toBe('随迁子女 69 人，占 8.63%');

  expect(fake.calls.some((c) => c.path === '/terms/5/applications/queue')).toBe(true);
  expect(text(page, '#list-count')).toContain('共 3 份');
  expect(text(page, '#list-count')).toContain('优先保障群体在前');
  expect(page.querySelectorAll('.item')).toHaveLength(3);
  expect(text(page, '#item-51')).toContain('留守儿童');
  expect(text(page, '#item-51')).toContain('已签协议');
  expect(text(page, '#item-53')).toContain('情况说明：家近');
  expect(page.querySelectorAll('.check')).toHaveLength(3);
  expect(text(page, '#selected-count')).toBe('已选 0 份');
});

test('select two, approve them together; a refusal is listed by name with the server\'s reason', async () => {
  serve();
  const page = await open();

  await tap(page, '#item-51 .check');
  await tap(page, '#item-52 .check');
  expect(text(page, '#selected-count')).toBe('已选 2 份');
  expect(page.querySelectorAll('.check--on')).toHaveLength(2);

  fake.wx.showModal.mockImplementation((options) => options.success({ confirm: true }));
  fake.route('POST', '/terms/5/applications/bulk-approve', { status: 200, body: [
    { application_id: 51, ok: true, status: 'approved' },
    { application_id: 52, ok: false, code: 'PRIORITY_WAITING', message: '名额有限，须按顺序先审定优先保障群体的申请' },
  ] });
  fake.route('GET', '/terms/5/applications/queue', { status: 200, body: QUEUE.slice(1) });
  await tap(page, '#bulk-approve');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '确定审定通过选中的 2 份申请吗？' }));
  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/terms/5/applications/bulk-approve');
  expect(fake.mutations()[0].data).toEqual({ application_ids: [51, 52] });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#bulk-result')).toContain('已通过 1 份');
  expect(text(page, '#bulk-result')).toContain('周二：名额有限，须按顺序先审定优先保障群体的申请');
  // the list and the figures are fetched again; the selection is cleared
  expect(fake.calls.filter((c) => c.path === '/terms/5/applications/summary')).toHaveLength(2);
  expect(page.querySelectorAll('.item')).toHaveLength(2);
  expect(text(page, '#selected-count')).toBe('已选 0 份');
});

test('bulk approval with nothing selected, or cancelled, sends nothing', async () => {
  serve();
  const page = await open();
  await tap(page, '#bulk-approve');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请先选择申请' }));

  await tap(page, '#select-all');
  expect(text(page, '#selected-count')).toBe('已选 3 份');
  fake.wx.showModal.mockImplementation((options) => options.success({ confirm: false, cancel: true }));
  await tap(page, '#bulk-approve');
  expect(fake.mutations()).toHaveLength(0);

  await tap(page, '#select-all'); // all on → all off
  expect(text(page, '#selected-count')).toBe('已选 0 份');
});

test('approve one', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications/52/review', { status: 200, body: application('approved', { id: 52 }) });
  fake.route('GET', '/terms/5/applications/queue', { status: 200, body: [QUEUE[0], QUEUE[2]] });
  await tap(page, '#item-52 .approve-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].data).toEqual({ decision: 'approve', comment: null });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#item-52')).toBe(false);
});

test('decline one: a reason is required, then sent', async () => {
  serve();
  const page = await open();
  await tap(page, '#item-53 .reject-btn');
  await tap(page, '#reject-confirm');
  expect(text(page, '#reject-error')).toBe('不通过须填写原因，家长会看到');
  expect(fake.mutations()).toHaveLength(0);

  page.querySelector('#reject-reason').dispatchEvent('input', { detail: { value: '自行回家的情况说明不完整' } });
  await flush(1);
  fake.route('POST', '/applications/53/review', { status: 200, body: application('rejected', { id: 53 }) });
  await tap(page, '#reject-confirm');
  expect(fake.mutations()[0].path).toBe('/applications/53/review');
  expect(fake.mutations()[0].data).toEqual({ decision: 'reject', comment: '自行回家的情况说明不完整' });
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已审定为未通过' }));
});

test('a full term: the Chinese refusal is shown and the application stays', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/applications/51/review', apiError(409, 'CAPACITY_FULL', '本学期 900 个名额已满'));
  await tap(page, '#item-51 .approve-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '本学期 900 个名额已满', icon: 'none' }));
  expect(exists(page, '#item-51')).toBe(true);
  expect(page.instance.data.busy).toBe(false);
});

test('other filters use the list endpoint with the status, and offer no decisions', async () => {
  serve();
  const page = await open();
  fake.route('GET', '/terms/5/applications', { status: 200, body: [
    application('declined', { id: 71, student_name: '郑七', decline_reason: '家中有老人接送' }),
  ] });
  await tap(page, '#filter-declined');

  const list = fake.calls.filter((c) => c.path === '/terms/5/applications').pop();
  expect(list.data).toEqual({ status: 'declined' });
  expect(text(page, '#item-71')).toContain('不参加');
  expect(text(page, '#item-71')).toContain('原因：家中有老人接送');
  expect(exists(page, '.check')).toBe(false);
  expect(exists(page, '.approve-btn')).toBe(false);
  expect(exists(page, '#toolbar')).toBe(false);

  await tap(page, '#filter-all');
  expect(fake.calls.filter((c) => c.path === '/terms/5/applications').pop().data).toEqual({});
});

test('long lists show 50 at a time', async () => {
  const many = Array.from({ length: 120 }, (_, i) => application('class_approved', { id: 1000 + i, student_name: `学生${i}` }));
  serve({ queue: many });
  const page = await open();
  expect(page.querySelectorAll('.item')).toHaveLength(50);
  expect(text(page, '#more-btn')).toBe('显示更多（50/120）');
  await tap(page, '#more-btn');
  expect(page.querySelectorAll('.item')).toHaveLength(100);
  await tap(page, '#more-btn');
  expect(page.querySelectorAll('.item')).toHaveLength(120);
  expect(exists(page, '#more-btn')).toBe(false);
});

test('only admins: a class head is told so in Chinese', async () => {
  serve({ me: CLASS_HEAD_ME });
  const page = await open();
  expect(text(page, '#load-error')).toContain('仅教导处管理员可以审定申请');
  expect(fake.calls.some((c) => c.path.indexOf('/applications') >= 0)).toBe(false);
});
