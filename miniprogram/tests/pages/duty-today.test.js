const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const {
  NOW, DUTY_ME, TEACHER_ME, ADMIN_ME, GUARD_ME, dutyToday, person, sessionPatrols,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

function routes(profile = DUTY_ME, today = dutyToday()) {
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/duty/today', answerOf(today));
}

test('on duty: as what, who leads and patrols, what is expected; sessions due now first and highlighted', async () => {
  routes();
  const page = await openPage('duty-today');

  expect(fake.sent('GET', '/duty/today')[0].data).toEqual({ school_id: 1 });
  expect(text(page, '.head__title')).toBe('11月24日 周二 · 值班');
  expect(text(page, '#on-duty')).toBe('今天您值班：值班领导');
  expect(text(page, '#leader')).toBe('值班领导：赵主任');
  expect(text(page, '#patrol-staff')).toBe('巡查人员：孙老师');
  expect(texts(page, '.todo__item')[0]).toContain('每节课巡查各场次两次');

  // due now first, then by the next one's time, the finished one last
  expect(texts(page, '.session__name')).toEqual(['二年级1班', '一年级1班', '书法']);
  expect(page.querySelector('#session-12').dom.className).toContain('session--due');
  expect(page.querySelector('#session-11').dom.className).not.toContain('session--due');
  expect(page.querySelector('#session-13').dom.className).toContain('session--done');
  expect(text(page, '#due-count')).toBe('1 个场次现在应巡查');
  expect(text(page, '#session-12 .session__next')).toBe('现在应巡查 2 次');
  expect(text(page, '#session-11 .session__next')).toBe('下次巡查 16:40');
  expect(text(page, '#session-13 .session__next')).toBe('巡查已完成');
  expect(text(page, '#session-12 .session__counts')).toBe('已到31/30 人巡查0/4 次');
  expect(text(page, '#session-11 .session__counts')).toContain('巡查1/4 次');
  expect(text(page, '#session-13')).toContain('老师：未安排老师');
  expect(exists(page, '#read-only')).toBe(false);
});

test('tap a session → the patrol form; the links go to 突发情况, 当日报告 and the board', async () => {
  routes();
  const page = await openPage('duty-today');

  await tap(page, '#session-12');
  await tap(page, '#incidents-link');
  await tap(page, '#report-link');
  await tap(page, '#board-link');
  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/patrol/index?session_id=12', '/pages/incidents/index', '/pages/duty-report/index', '/pages/pickup-board/index',
  ]);
});

test('not on duty: said, the sessions only to read (a tap says why); a teacher has no report or board link', async () => {
  routes(TEACHER_ME, dutyToday({ on_duty: false, role: null, role_label: null, expected: [] }));
  const page = await openPage('duty-today');

  expect(text(page, '#on-duty')).toBe('今天您不值班');
  expect(exists(page, '#expected')).toBe(false);
  expect(exists(page, '#read-only')).toBe(true);
  expect(exists(page, '#report-link')).toBe(false);
  expect(exists(page, '#board-link')).toBe(false);
  expect(exists(page, '#incidents-link')).toBe(true);

  await tap(page, '#session-12');
  expect(fake.wx.navigateTo).not.toHaveBeenCalled();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '今天不是您值班，不能记录巡查' }));
});

test('an admin may record patrols on any day; a patrol staff member sees their role; a swap names who was replaced', async () => {
  routes(ADMIN_ME, dutyToday({
    on_duty: false, role: null, role_label: null,
    leader: person(8, '周主任', { swapped_from: '赵主任', swap_reason: '外出开会' }),
  }));
  const page = await openPage('duty-today');
  expect(text(page, '#leader')).toBe('值班领导：周主任（原 赵主任：外出开会）');
  await tap(page, '#session-11');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/patrol/index?session_id=11' });

  routes(TEACHER_ME, dutyToday({ role: 'patrol', role_label: '巡查', expected: ['按值班领导安排巡查各场次并记录'] }));
  const patrol = await openPage('duty-today');
  expect(text(patrol, '#on-duty')).toBe('今天您值班：巡查');
});

test('a day without service, a day nobody leads, no sessions', async () => {
  routes(DUTY_ME, dutyToday({ served: false, on_duty: false, leader: null, patrols: [], sessions: [], expected: [] }));
  let page = await openPage('duty-today');
  expect(exists(page, '#not-served')).toBe(true);
  expect(exists(page, '#sessions')).toBe(false);
  expect(exists(page, '#no-leader')).toBe(false);

  routes(DUTY_ME, dutyToday({ on_duty: false, leader: null, patrols: [], sessions: [] }));
  page = await openPage('duty-today');
  expect(exists(page, '#no-leader')).toBe(true);
  expect(exists(page, '#no-sessions')).toBe(true);
});

test('a first load that fails shows the error and 重新加载; coming back reloads (a patrol done meanwhile)', async () => {
  routes(DUTY_ME, { network: true });
  const page = await openPage('duty-today');
  expect(text(page, '#load-error')).toContain('网络不给力');

  routes();
  await tap(page, '#retry-btn');
  expect(texts(page, '.session__name')[0]).toBe('二年级1班');

  routes(DUTY_ME, dutyToday({
    sessions: [sessionPatrols(12, '二年级1班', { patrols_done: 2, patrols_due_now: 0, next_due_at: '16:40' })],
  }));
  await page.instance.onShow();
  expect(exists(page, '#due-count')).toBe(false);
  expect(text(page, '#session-12 .session__counts')).toContain('巡查2/4 次');
});

test('the guard may look (any staff), and someone who is not staff is told', async () => {
  routes(GUARD_ME, dutyToday({ on_duty: false, role: null, role_label: null }));
  const guard = await openPage('duty-today');
  expect(exists(guard, '#board-link')).toBe(true);
  expect(exists(guard, '#report-link')).toBe(false);

  routes({ account_id: 7, name: '李娜', roles: ['guardian'], schools: [], children: [] });
  const page = await openPage('duty-today');
  expect(text(page, '#load-error')).toContain('只有学校的教职工可以查看值班');
  expect(fake.sent('GET', '/duty/today')).toHaveLength(1);
});
