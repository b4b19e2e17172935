/**
 * @jest-environment jsdom
 *
 * End to end: the duty pages (值班安排, 今日值班, 巡查, 看护记录, 报告突发情况, 突发情况, 当日报告) rendered with
 * miniprogram-simulate, their requests going over Node's http to the demo server (tests/e2e/backend.js), one phone per
 * person (demo-admin, demo-duty, demo-teacher), every screen checked against what the server then says.
 *
 * The walk: the admin puts the demo duty leader on today's roster (with the demo teacher to patrol); the duty leader's
 * 今日值班 lists today's sessions as the server has them; a patrol is recorded with a headcount one more than the roll
 * call (the warning shows, the server flags it); the teacher writes a care log for one of her sessions and amends it
 * (two versions); the teacher reports an incident with a child from that session's roster; the duty leader follows it
 * up and closes it; the day's report shows the patrol and the closed incident, is signed, and gets a correction.
 *
 * The day: the roster, patrols and a session's care log need today to be a service day (patrols are for today only).
 * On another day (a weekend, the holidays) those steps say so on the console and are skipped; the incident (reported
 * without a session: a child found by the search), its follow-up and closing, and the report with its signature and
 * correction are checked on any day.
 */
require('miniprogram-simulate');
const config = require('../../config/index');
const auth = require('../../services/auth');
const attendance = require('../../services/attendance');
const carelogs = require('../../services/carelogs');
const duty = require('../../services/duty');
const incidents = require('../../services/incidents');
const { request } = require('../../services/request');
const { shanghaiToday } = require('../../utils/format');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createPhone } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(90000);

const OPENIDS = { admin: 'demo-admin', duty: 'demo-duty', teacher: 'demo-teacher' };

/** The event a handler gets from a tap (dataset), an input or a picker (detail), or a component (detail). */
const event = (dataset = {}, detail = {}) => ({ currentTarget: { dataset }, detail });

describeIfBackend('值班 against the real backend (demo-server): roster, patrols, care logs, incidents, the signed report', () => {
  useDemoBackend('demo-admin');
  const phones = {};
  const ctx = {};

  /** Use `person`'s phone from now on (their requests, their storage, their login). */
  function use(person) {
    global.wx = phones[person];
    config.devOpenid = OPENIDS[person];
    return phones[person];
  }

  /** Whether today is served (the steps that need it say so on the console when it is not). */
  function served(step) {
    if (!ctx.served) console.warn(`duty e2e: ${shanghaiToday()} is not a service day; ${step} not checked`);
    return ctx.served;
  }

  beforeAll(async () => {
    Object.keys(OPENIDS).forEach((person) => { phones[person] = createPhone(); });
    use('admin');
    ctx.school = (await auth.me()).schools.find((s) => s.roles.indexOf('admin') >= 0);
    ctx.staff = await request({ url: `/schools/${ctx.school.id}/staff` });
    use('duty');
    ctx.dutyStaffId = (await auth.me()).schools.find((s) => s.id === ctx.school.id).staff_id;
    ctx.served = (await duty.today()).served;
    use('teacher');
    ctx.teacherStaffId = (await auth.me()).schools.find((s) => s.id === ctx.school.id).staff_id;
    if (ctx.served) {
      const listed = await attendance.listSessions();
      ctx.session = listed.sessions.find((s) => s.serving) || null;
    }
    ctx.today = shanghaiToday();
  });

  test('值班安排: the admin puts demo-duty on today\'s roster, demo-teacher to patrol; the server has it', async () => {
    use('admin');
    const page = await openPage('duty-roster');
    expect(exists(page, '#load-error')).toBe(false);
    if (!served('the roster')) {
      expect(exists(page, `#day-${ctx.today}`)).toBe(false);
      return;
    }
    expect(exists(page, `#day-${ctx.today}`)).toBe(true);

    page.instance.onEdit(event({ date: ctx.today }));
    const leaders = page.instance.leaders();
    const index = leaders.findIndex((s) => s.id === ctx.dutyStaffId);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(leaders.every((s) => s.roles.some((r) => r === 'duty_leader' || r === 'admin'))).toBe(true);
    page.instance.onLeader(event({}, { value: String(index) }));
    page.instance.onTogglePatrol(event({ id: ctx.teacherStaffId }));
    await page.instance.onSaveDay();

    expect(exists(page, '#editor')).toBe(false);
    const dutyName = ctx.staff.find((s) => s.id === ctx.dutyStaffId).name;
    const teacherName = ctx.staff.find((s) => s.id === ctx.teacherStaffId).name;
    expect(text(page, `#leader-${ctx.today}`)).toBe(`值班领导：${dutyName}`);
    expect(text(page, `#patrols-${ctx.today}`)).toBe(`巡查：${teacherName}`);
    const [day] = await duty.roster({ from: ctx.today, to: ctx.today });
    expect(day.leader.staff_id).toBe(ctx.dutyStaffId);
    expect(day.patrols.map((p) => p.staff_id)).toEqual([ctx.teacherStaffId]);
  });

  test('今日值班: demo-duty is on duty as 值班领导, today\'s sessions as the server counts their patrols', async () => {
    use('duty');
    const page = await openPage('duty-today');
    const today = await duty.today();
    if (!served('today\'s duty')) {
      expect(exists(page, '#not-served')).toBe(true);
      return;
    }
    expect(text(page, '#on-duty')).toBe('今天您值班：值班领导');
    const order = duty.patrolOrder(today.sessions);
    expect(texts(page, '.session__name')).toEqual(order.map((s) => s.name));
    expect(today.sessions.length).toBeGreaterThan(0);
    ctx.patrolSession = today.sessions[0];
  });

  test('巡查: one more child seen than the roll call has → saved, the warning shown, the server flags it', async () => {
    if (!served('the patrol')) return;
    use('duty');
    const s = ctx.patrolSession;
    const page = await openPage('patrol', { session_id: String(s.session_id) });
    expect(page.instance.data.headcount).toBe(s.present_count);
    page.instance.onPlus();
    page.instance.onOrder(event({ key: 'fair' }));
    page.instance.onNote(event({}, { value: 'e2e 巡查' }));
    await page.instance.onSubmit();

    expect(text(page, '#headcount-warning')).toBe(`⚠ 看到 ${s.present_count + 1} 人，点名已到 ${s.present_count} 人，人数不一致，请与老师核实`);
    const patrols = await request({ url: '/duty/patrols' });
    expect(patrols).toHaveLength(1);
    expect(patrols[0]).toEqual(expect.objectContaining({
      session_id: s.session_id, headcount_seen: s.present_count + 1, headcount_differs: true, order: 'fair', note: 'e2e 巡查',
    }));
    // the same session now counts it
    const again = (await duty.today()).sessions.find((x) => x.session_id === s.session_id);
    expect(again.patrols_done).toBe(1);
  });

  test('看护记录: the teacher writes one, amends it; two versions, the first kept', async () => {
    if (!served('the care log') || !ctx.session) {
      if (ctx.served) console.warn('duty e2e: demo-teacher serves no session today; the care log not checked');
      return;
    }
    use('teacher');
    const page = await openPage('care-log', { session_id: String(ctx.session.id) });
    expect(exists(page, '#care-form')).toBe(true);
    page.instance.onActivity(event({ key: 'homework' }));
    page.instance.onActivity(event({ key: 'reading' }));
    page.instance.onInput(event({ field: 'summary' }, { value: '完成语文作业，阅读绘本' }));
    const kid = page.instance.kids[0];
    page.instance.onToggleKid({ detail: { id: kid.id } });
    page.instance.onNoteInput(event({ id: kid.id }, { value: '作业很认真' }));
    await page.instance.onSave();
    expect(texts(page, '.version__title')).toEqual(['第 1 版当前']);

    page.instance.onInput(event({ field: 'summary' }, { value: '完成语文作业，阅读绘本，做了手工' }));
    page.instance.onInput(event({ field: 'unusual' }, { value: '一名学生流鼻血，已处理' }));
    await page.instance.onSave();
    expect(texts(page, '.version__title')).toEqual(['第 2 版当前', '第 1 版']);

    const history = await carelogs.careLog(ctx.session.id);
    expect(history.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(history.versions[0].summary).toBe('完成语文作业，阅读绘本');
    expect(history.current).toEqual(expect.objectContaining({
      summary: '完成语文作业，阅读绘本，做了手工', unusual: '一名学生流鼻血，已处理', activities: ['homework', 'reading'],
    }));
    expect(history.current.child_notes).toEqual([{ student_id: kid.id, note: '作业很认真', name: kid.name }]);
  });

  test('报告突发情况: the teacher reports an injury with a child (from the session\'s roster, or a search)', async () => {
    use('teacher');
    const query = ctx.session ? { session_id: String(ctx.session.id) } : {};
    const page = await openPage('incident-report', query);
    expect(exists(page, '#incident-form')).toBe(true);
    let kid;
    if (ctx.session) {
      kid = page.instance.roster[0];
    } else {
      const some = await request({ url: `/schools/${ctx.school.id}/students`, data: { page_size: 1 } });
      page.instance.onSearchInput(event({}, { value: some.items[0].name }));
      await page.instance.onSearch();
      kid = page.instance.found.find((k) => k.id === some.items[0].id);
    }
    page.instance.onToggleKid({ detail: { id: kid.id } });
    page.instance.onType(event({ key: 'injury' }));
    page.instance.onSeverity(event({ key: 'low' }));
    page.instance.onInput(event({ field: 'place' }, { value: '操场' }));
    page.instance.onInput(event({ field: 'description' }, { value: '跑步时摔倒，膝盖擦伤' }));
    page.instance.onInput(event({ field: 'actionsTaken' }, { value: '校医已处理，已电话告知家长' }));
    await page.instance.onSubmit();

    const url = phones.teacher.redirectTo.mock.calls[0][0].url;
    ctx.incidentId = Number(url.split('id=')[1]);
    const incident = await incidents.get(ctx.incidentId);
    expect(incident).toEqual(expect.objectContaining({
      type: 'injury', severity: 'low', place: '操场', status: 'open', day: ctx.today,
      children: [expect.objectContaining({ student_id: kid.id, name: kid.name })],
    }));
  });

  test('突发情况: the duty leader finds it open, follows it up and closes it with the resolution', async () => {
    use('duty');
    const list = await openPage('incidents');
    expect(exists(list, `#incident-${ctx.incidentId}`)).toBe(true);
    expect(text(list, `#incident-${ctx.incidentId} .status`)).toBe('处理中');

    const page = await openPage('incident', { id: String(ctx.incidentId) });
    page.instance.onMode(event({ mode: 'follow_up' }));
    page.instance.onInput(event({ field: 'text' }, { value: '已和家长通电话，明早复查' }));
    await page.instance.onSubmitEntry();
    page.instance.onMode(event({ mode: 'close' }));
    page.instance.onInput(event({ field: 'text' }, { value: '复查无碍，家长知悉' }));
    await page.instance.onSubmitEntry();

    expect(text(page, '#status')).toBe('已结案');
    expect(text(page, '#resolution')).toBe('处理结果：复查无碍，家长知悉');
    expect(texts(page, '.entry__kind')).toEqual(['跟进', '结案']);
    const incident = await incidents.get(ctx.incidentId);
    expect(incident.status).toBe('closed');
    expect(incident.resolution).toBe('复查无碍，家长知悉');
    expect(incident.entries.map((e) => e.kind)).toEqual(['follow_up', 'close']);

    await list.instance.onShow();
    expect(exists(list, `#incident-${ctx.incidentId}`)).toBe(false);
  });

  test('当日报告: the patrol and the closed incident shown; signed; then a correction appended', async () => {
    use('duty');
    const page = await openPage('duty-report');
    const live = await duty.report(ctx.today);
    expect(text(page, '#total-expected')).toBe(String(live.totals.expected));
    expect(text(page, `#incident-${ctx.incidentId}`)).toContain('已结案');
    expect(text(page, `#incident-${ctx.incidentId}`)).toContain('处理结果：复查无碍，家长知悉');
    if (served('the patrol in the report')) {
      expect(texts(page, '#patrols .row-card__title')).toHaveLength(live.patrols.length);
      expect(live.patrols).toHaveLength(1);
      expect(text(page, `#patrol-${live.patrols[0].id}`)).toContain('人数不符');
      expect(text(page, '#leader')).toBe(`值班领导：${live.leader}`);
    }

    await page.instance.onSign();
    expect(exists(page, '#signed')).toBe(true);
    expect(exists(page, '#sign-btn')).toBe(false);

    page.instance.onCorrectionInput(event({}, { value: 'e2e 更正：巡查人数已与老师核实' }));
    await page.instance.onCorrect();
    expect(texts(page, '.correction__text')).toEqual(['e2e 更正：巡查人数已与老师核实']);

    const signed = await duty.report(ctx.today);
    expect(signed.signed).toBe(true);
    expect(signed.corrections.map((c) => c.text)).toEqual(['e2e 更正：巡查人数已与老师核实']);
    expect(signed.incidents.map((i) => [i.id, i.status])).toEqual(expect.arrayContaining([[ctx.incidentId, 'closed']]));
  });
});
