const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const {
  NOW, TODAY, DUTY_ME, TEACHER_ME, reportOut, signedReport,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

/** A fake report server: sign freezes it, corrections append (refused before signing), as the backend does. */
function reportServer({ profile = DUTY_ME, report = reportOut() } = {}) {
  let current = JSON.parse(JSON.stringify(report));
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', `/duty/reports/${TODAY}`, () => answerOf(current));
  fake.route('POST', `/duty/reports/${TODAY}/sign?school_id=1`, () => {
    if (!current.signed) current = { ...current, signed: true, signed_by: '赵主任', signed_at: `${TODAY}T10:30:00Z` };
    return { status: 200, body: current };
  });
  fake.route('POST', `/duty/reports/${TODAY}/corrections?school_id=1`, (req) => {
    if (!current.signed) return { status: 409, body: { error: { code: 'REPORT_NOT_SIGNED', message: '报告还没有签字，直接修改原记录即可' } } };
    current = { ...current, corrections: current.corrections.concat([{ text: req.data.text, written_by: '赵主任', written_at: `${TODAY}T10:40:00Z` }]) };
    return { status: 200, body: current };
  });
}

const open = (query = {}) => openPage('duty-report', query);

test('the day: sessions and attendance, every patrol, the missing ones, incidents, pickups and 清校 not yet', async () => {
  reportServer();
  const page = await open();

  expect(fake.sent('GET', `/duty/reports/${TODAY}`)[0].data).toEqual({ school_id: 1 });
  expect(text(page, '#date-title')).toBe('11月24日 周二今天');
  expect(text(page, '#leader')).toBe('值班领导：赵主任');
  expect(text(page, '#total-expected')).toBe('42');
  expect(text(page, '#total-absent')).toBe('2');
  expect(text(page, '#session-11')).toContain('应到 30 · 实到 28 · 请假 1 · 缺勤 2');
  expect(text(page, '#session-11')).toContain('巡查 1/4');
  expect(text(page, '#patrols .section__title')).toContain('巡查 3/6');
  expect(text(page, '#patrols-missing')).toBe('未巡查 3 次');
  expect(text(page, '#patrol-41')).toContain('看到 27 人 / 点名 28 人');
  expect(text(page, '#patrol-41')).toContain('人数不符');
  expect(text(page, '#patrol-41')).toContain('备注：两人在走廊');
  expect(text(page, '#patrol-42')).toContain('教师不在岗');
  expect(text(page, '#patrol-42')).not.toContain('人数不符');
  expect(text(page, '#incident-70')).toContain('16:10 受伤（轻微）');
  expect(text(page, '#incident-70')).toContain('操场 · 张小明');
  expect(text(page, '#released')).toBe('离校 35 人（扫码 30，人工核对 2，自行回家 3）');
  expect(text(page, '#late')).toBe('超时未接 1 人 · 交门卫 1 人 · 人工核对 2 人');
  expect(text(page, '#latest-release')).toBe('最后一名学生离校 17:48');
  expect(text(page, '#clearance')).toBe('尚未清校');
  expect(exists(page, '#sign-btn')).toBe(true);
  expect(exists(page, '#correct-btn')).toBe(false);
});

test('清校 not done: a link to the board; an incident opens its page', async () => {
  reportServer();
  const page = await open();
  await tap(page, '#board-link');
  await tap(page, '#incident-70');
  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual(['/pages/pickup-board/index', '/pages/incident/index?id=70']);
});

test('签字 after a confirm (cancel: nothing); then only 更正, appended with who and when', async () => {
  reportServer();
  const page = await open();

  fake.answerModal(false);
  await tap(page, '#sign-btn');
  expect(fake.mutations()).toHaveLength(0);
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({
    title: '签字确认', content: expect.stringContaining('还有 3 次巡查未做。尚未清校。'),
  }));

  fake.answerModal(true);
  await tap(page, '#sign-btn');
  const signs = fake.sent('POST', `/duty/reports/${TODAY}/sign?school_id=1`);
  expect(signs).toHaveLength(1);
  expect(signs[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#signed')).toBe('已签字：赵主任 签字于 11-24 18:30');
  expect(exists(page, '#sign-btn')).toBe(false);

  await tap(page, '#correct-btn');
  expect(text(page, '#correction-error')).toBe('请写下要更正的内容');
  await type(page, '#correction-input', '一年级1班 16:00 巡查人数应为 28 人');
  await tap(page, '#correct-btn');
  const sent = fake.sent('POST', `/duty/reports/${TODAY}/corrections?school_id=1`);
  expect(sent[0].data).toEqual({ text: '一年级1班 16:00 巡查人数应为 28 人' });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#correction-0')).toContain('一年级1班 16:00 巡查人数应为 28 人');
  expect(text(page, '#correction-0')).toContain('赵主任 · 11-24 18:40');
  expect(page.instance.data.correctionText).toBe('');
});

test('a signed day: the record, its corrections, 清校 said; no link to the board', async () => {
  reportServer({ report: signedReport([{ text: '补充：书法教师临时外出 5 分钟', written_by: '钱主任', written_at: `${TODAY}T11:00:00Z` }]) });
  const page = await open();
  expect(text(page, '#clearance')).toBe('18:05 由 赵主任 确认清校');
  expect(exists(page, '#board-link')).toBe(false);
  expect(texts(page, '.correction__text')).toEqual(['补充：书法教师临时外出 5 分钟']);
});

test('no answer to 更正: the same key again on the next tap, one correction', async () => {
  reportServer({ report: signedReport() });
  const page = await open();
  fake.route('POST', `/duty/reports/${TODAY}/corrections?school_id=1`, { network: true }, { network: true }, { network: true },
    { status: 200, body: signedReport([{ text: '更正', written_by: '赵主任', written_at: `${TODAY}T10:40:00Z` }]) });
  await type(page, '#correction-input', '更正');
  await tap(page, '#correct-btn');
  expect(exists(page, '#correction-0')).toBe(false);
  await tap(page, '#correct-btn');
  const keys = fake.sent('POST', `/duty/reports/${TODAY}/corrections?school_id=1`).map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(exists(page, '#correction-0')).toBe(true);
});

test('a refusal to sign (not the day\'s leader) in a modal', async () => {
  reportServer();
  fake.route('POST', `/duty/reports/${TODAY}/sign?school_id=1`, { status: 403, body: { error: { code: 'FORBIDDEN', message: '只有当天的值班领导或管理员可以签字' } } });
  fake.answerModal(true);
  const page = await open();
  await tap(page, '#sign-btn');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '没有签字', content: '只有当天的值班领导或管理员可以签字' }));
  expect(exists(page, '#signed')).toBe(false);
});

test('earlier days: ‹, the picker and ?date=; › stops at today; a day without service', async () => {
  reportServer();
  fake.route('GET', '/duty/reports/2026-11-23', answerOf(reportOut({ date: '2026-11-23', leader: '周主任' })));
  fake.route('GET', '/duty/reports/2026-11-20', answerOf(reportOut({ date: '2026-11-20', served: false, sessions: [], patrols: [], incidents: [] })));
  const page = await open();
  await tap(page, '#next-day');
  expect(fake.calls.filter((c) => c.path.startsWith('/duty/reports/2026-11-25'))).toHaveLength(0);

  await tap(page, '#prev-day');
  expect(text(page, '#date-title')).toBe('11月23日 周一');
  expect(text(page, '#leader')).toBe('值班领导：周主任');
  expect(exists(page, '#board-link')).toBe(false);

  await pick(page, '#date-picker', '2026-11-20');
  expect(exists(page, '#not-served')).toBe(true);
  expect(exists(page, '#no-patrols')).toBe(true);

  const other = await open({ date: '2026-11-23' });
  expect(text(other, '#leader')).toBe('值班领导：周主任');
});

test('a teacher is told the report is for duty leaders and admins', async () => {
  reportServer({ profile: TEACHER_ME });
  const page = await open();
  expect(text(page, '#load-error')).toContain('只有值班领导和学校管理员可以查看当日报告');
});
