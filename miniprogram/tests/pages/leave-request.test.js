const { fakeBackendEachTest, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, TERMS, application, apiError } = require('../helpers/enrollment-fixtures');
const { NOW, TODAY, calendarDays, calendar, leaveOut } = require('../helpers/leave-fixtures');

let fake;

fakeBackendEachTest(NOW, (f) => { fake = f; });

// From Tuesday 2026-03-10 (today) for five weeks; Wednesday 03-18 cancelled for 运动会.
const DAYS = calendarDays(TODAY, 35, {
  '2026-03-18': { kind: 'cancelled', kind_label: '停课', served: false, note: '运动会', timetable: null },
});
// The child stays Monday, Tuesday, Wednesday and Friday (not Thursday).
const APP = application('approved', { weekdays: [1, 2, 3, 5], in_care: true });

function serve({ app = APP, leaves = [], days = DAYS } = {}) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/applications', { status: 200, body: app ? [app] : [] });
  fake.route('GET', '/students/11/leave-requests', { status: 200, body: leaves });
  fake.route('GET', '/terms/5/calendar', { status: 200, body: calendar(days) });
}

const open = (query = { student_id: '11' }) => openPage('leave-request', query);
const dayIds = (page) => page.instance.data.dayItems.map((d) => d.date);

test("the child's upcoming service days: served, from today, on the child's weekdays", async () => {
  serve({ leaves: [leaveOut({ id: 60, dates: ['2026-03-13'], status: 'approved' })] });
  const page = await open();

  expect(text(page, '#child-name')).toBe('李小明 · 请假');
  expect(text(page, '#child-meta')).toBe('一年级1班 · 示范小学 · 2025-2026学年第二学期');
  const cal = fake.sent('GET', '/terms/5/calendar')[0];
  expect(cal.data).toEqual({ from: TODAY, to: '2026-07-10' });
  expect(fake.sent('GET', '/applications')[0].data).toEqual({ term_id: 5 });
  // the school's cut-off, read from the calendar, so the guardian knows before asking
  expect(text(page, '#cutoff-hint')).toContain('14:00');

  // no Thursday (not the child's day), no weekend, no cancelled 03-18; ten shown first
  expect(dayIds(page)).toEqual([
    '2026-03-10', '2026-03-11', '2026-03-13', '2026-03-16', '2026-03-17', '2026-03-20', '2026-03-23', '2026-03-24',
    '2026-03-25', '2026-03-27',
  ]);
  expect(text(page, '#day-2026-03-10')).toBe('3月10日 周二今天');
  expect(text(page, '#day-2026-03-13')).toBe('3月13日 周五已请假');
  expect(text(page, '#more-days')).toBe('更多日期（还有 9 天）');
  await tap(page, '#more-days');
  expect(dayIds(page)).toHaveLength(19);
  expect(exists(page, '#more-days')).toBe(false);

  // a day already on leave cannot be chosen
  await tap(page, '#day-2026-03-13');
  expect(page.instance.data.form.dates).toEqual([]);
});

test('local checks: a day and a reason; 提前接走 takes one day and a time', async () => {
  serve();
  const page = await open();

  await tap(page, '#submit-btn');
  expect(text(page, '#dates-error')).toBe('请选择请假日期');
  expect(text(page, '#reason-error')).toBe('请填写请假原因');
  expect(fake.mutations()).toHaveLength(0);

  await tap(page, '#day-2026-03-16');
  await tap(page, '#day-2026-03-11');
  expect(exists(page, '#dates-error')).toBe(false);
  expect(text(page, '#dates-count')).toBe('已选 2 天');
  expect(page.querySelector('#day-2026-03-11').dom.className).toContain('day--on');

  // early pickup keeps the earliest day; another tap moves it
  await tap(page, '#kind-early_pickup');
  expect(page.instance.data.form.dates).toEqual(['2026-03-11']);
  expect(exists(page, '#time-picker')).toBe(true);
  await tap(page, '#day-2026-03-13');
  expect(page.instance.data.form.dates).toEqual(['2026-03-13']);
  await type(page, '#reason-input', '去医院复查');
  await tap(page, '#submit-btn');
  expect(text(page, '#time-error')).toBe('请选择接走时间');
  expect(fake.mutations()).toHaveLength(0);
  // the picker offers the day's service time
  expect(page.instance.data.pickupStart).toBe('15:40');
  expect(page.instance.data.pickupEnd).toBe('17:30');

  // back to 病假: no time field
  await tap(page, '#kind-sick');
  expect(exists(page, '#time-picker')).toBe(false);
});

test('submit sends the request once (idempotent), resets the form and shows the new request', async () => {
  serve();
  const page = await open();
  await tap(page, '#kind-personal');
  await tap(page, '#day-2026-03-17');
  await tap(page, '#day-2026-03-16');
  await type(page, '#reason-input', ' 回老家 ');
  const saved = leaveOut({ id: 70, kind: 'personal', dates: ['2026-03-16', '2026-03-17'], reason: '回老家' });
  fake.route('POST', '/leave-requests', { status: 200, body: saved });
  fake.route('GET', '/students/11/leave-requests', { status: 200, body: [saved] });

  page.querySelector('#submit-btn').dispatchEvent('tap');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await flush(20);

  expect(fake.mutations()).toHaveLength(1);
  const sent = fake.mutations()[0];
  expect(sent.path).toBe('/leave-requests');
  expect(sent.data).toEqual({ student_id: 11, kind: 'personal', dates: ['2026-03-16', '2026-03-17'], reason: '回老家' });
  expect(sent.header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已提交' }));
  expect(page.instance.data.form).toEqual({ kind: 'sick', dates: [], reason: '', earlyPickupTime: '' });
  expect(text(page, '#leave-70')).toContain('事假');
  expect(text(page, '#leave-70')).toContain('3月16日 周一、3月17日 周二');
  expect(text(page, '#leave-70')).toContain('待班主任处理');
  // the days now on leave are marked
  expect(text(page, '#day-2026-03-16')).toContain('已请假');
  expect(page.instance.data.submitting).toBe(false);
});

test('an early pickup sends its time', async () => {
  serve();
  const page = await open();
  await tap(page, '#kind-early_pickup');
  await tap(page, '#day-2026-03-11');
  await pick(page, '#time-picker', '16:30');
  expect(text(page, '#time-value')).toBe('16:30');
  await type(page, '#reason-input', '看牙医');
  fake.route('POST', '/leave-requests', { status: 200, body: leaveOut({ kind: 'early_pickup', early_pickup_time: '16:30' }) });
  await tap(page, '#submit-btn');

  expect(fake.mutations()[0].data).toEqual({
    student_id: 11, kind: 'early_pickup', dates: ['2026-03-11'], reason: '看牙医', early_pickup_time: '16:30',
  });
});

test('after the cut-off, a request for today is accepted as urgent: the guardian is told the teachers know', async () => {
  serve();
  const page = await open();
  await tap(page, '#day-2026-03-10');
  await type(page, '#reason-input', '发烧');
  fake.route('POST', '/leave-requests', { status: 200, body: leaveOut({ dates: [TODAY], urgent: true }) });
  await tap(page, '#submit-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '已提交，已通知老师', showCancel: false }));
  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('已立即通知');
  expect(fake.wx.showToast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '已提交' }));
});

test("the server's refusals show on their field with its message", async () => {
  serve();
  const page = await open();
  await tap(page, '#day-2026-03-11');
  await type(page, '#reason-input', '发烧');

  // already on leave (another phone): the message on the dates, and the days read again
  fake.route('POST', '/leave-requests', apiError(409, 'LEAVE_OVERLAP', '3月11日已有请假，请勿重复申请', { dates: '2026-03-11' }));
  fake.route('GET', '/students/11/leave-requests', { status: 200, body: [leaveOut({ id: 80, dates: ['2026-03-11'] })] });
  const before = fake.sent('GET', '/terms/5/calendar').length;
  await tap(page, '#submit-btn');
  expect(text(page, '#dates-error')).toBe('3月11日已有请假，请勿重复申请');
  expect(fake.sent('GET', '/terms/5/calendar').length).toBe(before + 1);
  expect(text(page, '#day-2026-03-11')).toContain('已请假');
  expect(page.instance.data.form.dates).toEqual([]);
  expect(page.instance.data.form.reason).toBe('发烧');
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  // not a service day (changed since the page was read)
  await tap(page, '#day-2026-03-13');
  fake.route('POST', '/leave-requests', apiError(422, 'LEAVE_DATE_INVALID', '3月13日（周五）不是课后服务日：停课（运动会）',
    { dates: '3月13日（周五）不是课后服务日：停课（运动会）' }));
  await tap(page, '#submit-btn');
  expect(text(page, '#dates-error')).toBe('3月13日（周五）不是课后服务日：停课（运动会）');

  // a pickup time outside the child's service time
  await tap(page, '#kind-early_pickup');
  await pick(page, '#time-picker', '17:20');
  fake.route('POST', '/leave-requests', apiError(422, 'EARLY_PICKUP_TIME_INVALID', '提前接走时间须在当天课后服务时间内（15:40–17:00）',
    { early_pickup_time: '提前接走时间须在当天课后服务时间内（15:40–17:00）' }));
  await tap(page, '#submit-btn');
  expect(text(page, '#time-error')).toBe('提前接走时间须在当天课后服务时间内（15:40–17:00）');
  expect(exists(page, '#dates-error')).toBe(false);

  // something else: said under the form
  fake.route('POST', '/leave-requests', apiError(422, 'NOT_IN_CARE', '李小明本学期没有参加课后服务，无需请假'));
  await tap(page, '#submit-btn');
  expect(text(page, '#form-error')).toBe('李小明本学期没有参加课后服务，无需请假');
});

test('a past day refused by the server (the page was open overnight): its message, days read again', async () => {
  serve();
  const page = await open();
  await tap(page, '#day-2026-03-10');
  await type(page, '#reason-input', '发烧');
  fake.route('POST', '/leave-requests', apiError(422, 'LEAVE_DATE_PAST', '3月10日已过，不能再请假', { dates: '3月10日已过，不能再请假' }));
  fake.route('GET', '/terms/5/calendar', { status: 200, body: calendar(DAYS.slice(1)) });
  await tap(page, '#submit-btn');
  expect(text(page, '#dates-error')).toBe('3月10日已过，不能再请假');
});

test('the history: kind, days, status, 紧急, the class head\'s word; 撤销 only where it still applies', async () => {
  serve({
    leaves: [
      leaveOut({ id: 63, kind: 'early_pickup', early_pickup_time: '16:30', dates: ['2026-03-12'], urgent: true }),
      leaveOut({
        id: 62, dates: ['2026-03-02', '2026-03-03', '2026-03-04'], status: 'noted', cancellable: false,
        decided_at: '2026-03-02T03:00:00Z', decided_by_name: '张老师', comment: '好好休息',
      }),
      leaveOut({ id: 61, status: 'cancelled', cancellable: false }),
    ],
  });
  const page = await open();

  expect(texts(page, '.leave__kind')).toEqual(['提前接走', '病假', '病假']);
  const urgent = text(page, '#leave-63');
  expect(urgent).toContain('紧急');
  expect(urgent).toContain('16:30 接走');
  expect(urgent).toContain('3月12日 周四');
  expect(urgent).toContain('待班主任处理');
  const noted = text(page, '#leave-62');
  expect(noted).toContain('3月2日 周一 至 3月4日 周三（3天）');
  expect(noted).toContain('班主任已知悉');
  expect(noted).toContain('张老师 3月2日 11:00');
  expect(noted).toContain('班主任留言：好好休息');
  expect(text(page, '#leave-61')).toContain('已撤销');
  expect(exists(page, '#leave-63 .cancel-btn')).toBe(true);
  expect(exists(page, '#leave-62 .cancel-btn')).toBe(false);
  expect(exists(page, '#leave-61 .cancel-btn')).toBe(false);
});

test('撤销 asks first; confirmed, it cancels once and the list is read again', async () => {
  serve({ leaves: [leaveOut({ id: 61, dates: ['2026-03-09', '2026-03-11'] })] });
  const page = await open();

  fake.answerModal(false);
  await tap(page, '#leave-61 .cancel-btn');
  expect(fake.mutations()).toHaveLength(0);
  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('已过去的日期仍保留在记录中');

  fake.answerModal(true);
  fake.route('POST', '/leave-requests/61/cancel', { status: 200, body: leaveOut({ id: 61, status: 'cancelled', cancellable: false }) });
  fake.route('GET', '/students/11/leave-requests', { status: 200, body: [leaveOut({ id: 61, status: 'cancelled', cancellable: false })] });
  await tap(page, '#leave-61 .cancel-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/leave-requests/61/cancel');
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已撤销' }));
  expect(text(page, '#leave-61')).toContain('已撤销');
  expect(exists(page, '#leave-61 .cancel-btn')).toBe(false);
  expect(page.instance.data.cancellingId).toBe(0);
});

test('a request whose days have all gone cannot be cancelled: the server says so in a modal', async () => {
  serve({ leaves: [leaveOut({ id: 61 })] });
  const page = await open();
  fake.answerModal(true);
  fake.route('POST', '/leave-requests/61/cancel', apiError(409, 'LEAVE_PAST', '请假日期都已过去，不能撤销'));
  await tap(page, '#leave-61 .cancel-btn');

  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '不能撤销', content: '请假日期都已过去，不能撤销' }));
});

test('a child not in care this term: no form, the history still shown', async () => {
  serve({ app: application('withdrawn'), leaves: [leaveOut({ id: 61, status: 'cancelled', cancellable: false })] });
  const page = await open();

  expect(text(page, '#not-in-care')).toBe('李小明本学期没有参加课后服务，无需请假。');
  expect(exists(page, '#leave-form')).toBe(false);
  expect(exists(page, '#leave-61')).toBe(true);
});

test('no published plan yet: no days to choose', async () => {
  serve();
  fake.route('GET', '/terms/5/calendar', apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示'));
  const page = await open();

  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#no-days')).toBe('本学期接下来没有孩子的课后服务日。');
});

test('someone else\'s child, and a failed load that can be retried', async () => {
  serve();
  let page = await open({ student_id: '99' });
  expect(text(page, '#load-error')).toContain('未找到该孩子');

  fake.route('GET', '/students/11/leave-requests', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), { status: 200, body: [] });
  page = await open();
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  await tap(page, '#retry-btn');
  expect(exists(page, '#leave-form')).toBe(true);
});
