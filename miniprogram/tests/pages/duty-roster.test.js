const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { addDays } = require('../../services/attendance');
const {
  NOW, TODAY, ADMIN_ME, DUTY_ME, STAFF, TERM, person, rosterDay, calendarDay,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

const TWO_WEEKS = Array.from({ length: 14 }, (_, i) => addDays(TODAY, i));
// 11-24 (Tue) … 12-07 (Mon): ten served days, two weekends
const CALENDAR = TWO_WEEKS.map((d) => calendarDay(d, ![6, 0].includes(new Date(`${d}T00:00:00Z`).getUTCDay())));
const ROSTER = [
  rosterDay(TODAY, person(5, '赵主任'), [person(7, '孙老师', { role: 'patrol', role_label: '巡查' })]),
  rosterDay('2026-11-25', person(8, '周主任', { swapped_from: '赵主任', swap_reason: '外出开会' })),
];

function routes({ profile = ADMIN_ME, roster = ROSTER, calendar = { term_id: 3, days: CALENDAR } } = {}) {
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/schools/1/terms', answerOf([TERM]));
  fake.route('GET', '/duty/roster', answerOf(roster));
  fake.route('GET', '/terms/3/calendar', answerOf(calendar));
  fake.route('GET', '/schools/1/staff', answerOf(STAFF));
}

test('the next two weeks\' service days: who leads, who patrols, a swap, and the days nobody is on yet', async () => {
  routes();
  const page = await openPage('duty-roster');

  expect(fake.sent('GET', '/duty/roster')[0].data).toEqual({ from: TODAY, to: '2026-12-07', school_id: 1 });
  expect(fake.sent('GET', '/terms/3/calendar')[0].data).toEqual({ from: TODAY, to: '2026-12-07' });
  expect(text(page, '.head__meta')).toBe('示范小学 · 2026-2027学年第一学期');
  expect(texts(page, '.day__title')).toHaveLength(10);
  expect(texts(page, '.day__title')[0]).toBe('11月24日 周二');
  expect(exists(page, '#day-2026-11-28')).toBe(false);
  expect(text(page, `#leader-${TODAY}`)).toBe('值班领导：赵主任');
  expect(text(page, `#patrols-${TODAY}`)).toBe('巡查：孙老师');
  expect(text(page, '#leader-2026-11-25')).toBe('值班领导：周主任（原 赵主任：外出开会）');
  expect(text(page, '#day-2026-11-26')).toContain('未排值班领导');
  expect(page.querySelector('#day-2026-11-26').dom.className).toContain('day--empty');
  expect(exists(page, '#swap-2026-11-26')).toBe(false);
});

test('生成值班表 after a confirm (kept days stay), 重新轮排 in red with overwrite; cancel sends nothing', async () => {
  routes();
  fake.route('POST', '/duty/terms/3/roster/generate', (req) => ({ status: 200, body: TWO_WEEKS.slice(0, req.data.overwrite ? 10 : 8).map((d) => rosterDay(d, person(5, '赵主任'))) }));
  const page = await openPage('duty-roster');

  fake.answerModal(false);
  await tap(page, '#generate-btn');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#generate-btn');
  let sent = fake.sent('POST', '/duty/terms/3/roster/generate');
  expect(sent[0].data).toEqual({ overwrite: false });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已排 8 天' }));
  expect(fake.sent('GET', '/duty/roster')).toHaveLength(2);

  await tap(page, '#regenerate-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '重新轮排？', confirmColor: '#d64541' }));
  sent = fake.sent('POST', '/duty/terms/3/roster/generate');
  expect(sent[1].data).toEqual({ overwrite: true });
  expect(sent[1].header['Idempotency-Key']).not.toBe(sent[0].header['Idempotency-Key']);
});

test('生成 refused (no duty leaders): said in a modal', async () => {
  routes();
  fake.route('POST', '/duty/terms/3/roster/generate', { status: 422, body: { error: { code: 'NO_DUTY_LEADERS', message: '学校还没有值班领导，请先在教职工里设置' } } });
  fake.answerModal(true);
  const page = await openPage('duty-roster');
  await tap(page, '#generate-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '没有生成', content: '学校还没有值班领导，请先在教职工里设置' }));
});

test('调整 a day: leaders are duty leaders and admins; patrol staff any active staff but the leader; the whole day PUT', async () => {
  routes();
  fake.route('PUT', '/duty/roster?school_id=1', (req) => ({ status: 200, body: rosterDay(req.data.date, person(8, '周主任')) }));
  const page = await openPage('duty-roster');

  await tap(page, `#edit-${TODAY}`);
  expect(page.instance.data.leaderOptions).toEqual(['钱主任', '赵主任', '周主任']);
  expect(text(page, '#leader-value')).toBe('赵主任');
  expect(texts(page, '.chip')).toEqual(['钱主任', '王老师', '刘师傅', '孙老师', '周主任']);
  expect(page.querySelector('#patrol-7').dom.className).toContain('chip--on');

  // 周主任 leads: no longer among the patrol staff to pick
  await pick(page, '#leader-picker', '2');
  expect(texts(page, '.chip')).toEqual(['钱主任', '王老师', '赵主任', '刘师傅', '孙老师']);
  await tap(page, '#patrol-4');
  await tap(page, '#patrol-7');
  await tap(page, '#patrol-5');
  await tap(page, '#save-day');

  const sent = fake.sent('PUT', '/duty/roster?school_id=1');
  expect(sent[0].data).toEqual({ date: TODAY, leader_staff_id: 8, patrol_staff_ids: [4, 5] });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#editor')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存' }));
});

test('调整 an empty day: a leader required; a refusal (not a service day) in a modal; no answer keeps the key', async () => {
  routes();
  const page = await openPage('duty-roster');
  await tap(page, '#edit-2026-11-26');
  expect(text(page, '#leader-value')).toBe('请选择（值班领导或管理员）');
  await tap(page, '#save-day');
  expect(text(page, '#edit-error')).toBe('请选择值班领导');
  expect(fake.mutations()).toHaveLength(0);

  await pick(page, '#leader-picker', '1');
  fake.route('PUT', '/duty/roster?school_id=1', { network: true }, { network: true }, { network: true },
    { status: 422, body: { error: { code: 'NOT_A_SERVICE_DAY', message: '11月26日 不是课后服务日，不用排值班' } } });
  await tap(page, '#save-day');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存：网络不给力，请稍后再试，请再点一次' }));
  await tap(page, '#save-day');
  const keys = fake.sent('PUT', '/duty/roster?school_id=1').map((c) => c.header['Idempotency-Key']);
  expect(new Set(keys).size).toBe(1);
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '没有保存', content: '11月26日 不是课后服务日，不用排值班' }));
  expect(exists(page, '#editor')).toBe(true);

  await tap(page, '#cancel-edit');
  expect(exists(page, '#editor')).toBe(false);
});

test('换班: who is replaced, by whom (a leader only by a duty leader or admin not on duty that day), why', async () => {
  routes();
  fake.route('POST', '/duty/roster/swap?school_id=1', { status: 200, body: rosterDay(TODAY, person(8, '周主任', { swapped_from: '赵主任', swap_reason: '外出开会' })) });
  const page = await openPage('duty-roster');
  await tap(page, `#swap-${TODAY}`);
  expect(page.instance.data.swapFromOptions).toEqual(['赵主任（值班领导）', '孙老师（巡查）']);

  await tap(page, '#save-swap');
  expect(text(page, '#swap-error')).toBe('请选择换下的人');
  await pick(page, '#swap-from', '0');
  expect(page.instance.data.swapToOptions).toEqual(['钱主任', '周主任']);
  await pick(page, '#swap-to', '1');
  await tap(page, '#save-swap');
  expect(text(page, '#swap-error')).toBe('请写明换班原因');
  await type(page, '#swap-reason', '外出开会');
  await tap(page, '#save-swap');

  const sent = fake.sent('POST', '/duty/roster/swap?school_id=1');
  expect(sent[0].data).toEqual({ date: TODAY, from_staff_id: 5, to_staff_id: 8, reason: '外出开会' });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#swapper')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已换班' }));

  // a patrol may be swapped for anyone not on duty
  await tap(page, `#swap-${TODAY}`);
  await pick(page, '#swap-from', '1');
  expect(page.instance.data.swapToOptions).toEqual(['钱主任', '王老师', '刘师傅', '周主任']);
});

test('换班 refused (already on duty) in a modal', async () => {
  routes();
  fake.route('POST', '/duty/roster/swap?school_id=1', { status: 409, body: { error: { code: 'ALREADY_ON_DUTY', message: '周主任 这一天已在值班' } } });
  const page = await openPage('duty-roster');
  await tap(page, `#swap-${TODAY}`);
  await pick(page, '#swap-from', '0');
  await pick(page, '#swap-to', '1');
  await type(page, '#swap-reason', '病假');
  await tap(page, '#save-swap');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '没有换班', content: '周主任 这一天已在值班' }));
  expect(exists(page, '#swapper')).toBe(true);
});

test('no published plan: nothing to list, said; a duty leader is told the page is for admins', async () => {
  routes({ roster: [], calendar: { status: 404, body: { error: { code: 'PLAN_NOT_PUBLISHED', message: '服务方案还没有公示' } } } });
  const page = await openPage('duty-roster');
  expect(exists(page, '#no-days')).toBe(true);

  routes({ profile: DUTY_ME });
  const duty = await openPage('duty-roster');
  expect(text(duty, '#load-error')).toContain('只有学校管理员可以安排值班');
});
