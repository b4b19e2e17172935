/**
 * @jest-environment jsdom
 *
 * End to end: pages/sessions, pages/session-roster, pages/handover and pages/child-day rendered with
 * miniprogram-simulate, their requests going over Node's http to the demo server (tests/e2e/backend.js).
 *
 * The day: the demo clock is real time and roll call and handover refuse days still to come, so the suite works on the
 * latest day up to today that the term's calendar (GET /terms/{id}/calendar) serves — today on a school day, the Friday
 * before on a weekend — and passes it as ?date= everywhere. Between terms (the demo's summer and winter breaks) no
 * child is in care on any such day: the tests then say so on the console and check nothing.
 *
 * demo-teacher lists the day's sessions, opens a roster, marks a child present and undoes it (and sees a refusal
 * for a child who belongs to a club today); demo-classhead (一年级1班) confirms the handover with one child missing
 * and again with everyone; demo-guardian opens a child's day, before and after the child is marked present.
 * Every screen is checked against the server's answer.
 */
require('miniprogram-simulate');
const auth = require('../../services/auth');
const attendance = require('../../services/attendance');
const calendar = require('../../services/calendar');
const { request } = require('../../services/request');
const { shanghaiToday } = require('../../utils/format');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createNodeWx, actAs } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(60000);

describeIfBackend('托管: sessions, roll call, handover and a child\'s day against the real backend (demo-server)', () => {
  useDemoBackend('demo-admin');
  let wxImpl;
  const ctx = {};

  /** The day the suite works on (see above), or null. */
  async function pickDay(school) {
    const today = shanghaiToday();
    const list = await request({ url: `/schools/${school.id}/terms` });
    const term = list.find((t) => t.starts_on <= today && today <= t.ends_on);
    if (!term) return null;
    const served = (await calendar.termCalendar(term.id, { from: term.starts_on, to: today })).days.filter((d) => d.served);
    return served.length ? served[served.length - 1].date : null;
  }

  /** False (and a word on the console) when there is no day to work on. */
  function haveDay() {
    if (!ctx.date) console.warn(`attendance e2e: no served day of a term up to ${shanghaiToday()}; nothing to check`);
    return Boolean(ctx.date);
  }

  beforeAll(async () => {
    global.wx = createNodeWx();
    const profile = await auth.me();
    ctx.school = profile.schools.find((s) => s.roles.indexOf('admin') >= 0);
    ctx.date = await pickDay(ctx.school);
  });

  beforeEach(() => {
    wxImpl = createNodeWx();
    wxImpl.navigateTo = jest.fn();
    wxImpl.stopPullDownRefresh = jest.fn();
    wxImpl.setNavigationBarTitle = jest.fn();
    wxImpl.showModal = jest.fn((options) => setTimeout(() => options.success && options.success({ confirm: true, cancel: false }), 0));
    wxImpl.showActionSheet = jest.fn((options) => setTimeout(() => options.fail && options.fail({ errMsg: 'cancel' }), 0));
    global.wx = wxImpl;
  });

  const puts = () => wxImpl.requests.filter((r) => r.method === 'PUT');
  const event = (id) => ({ currentTarget: { dataset: { id } } });
  const rowOf = (roster, id) => roster.rows.find((r) => r.student_id === id);

  test('the teacher lists the day\'s sessions, opens a roster, marks a child present and undoes it', async () => {
    if (!haveDay()) return;
    actAs('demo-teacher', wxImpl);
    const listed = await attendance.listSessions(ctx.date);
    expect(listed.days.every((d) => d.served)).toBe(true);
    expect(listed.sessions.length).toBeGreaterThan(0);

    const page = await openPage('sessions', { date: ctx.date });
    expect(exists(page, '#load-error')).toBe(false);
    expect(texts(page, '.session__name').slice().sort()).toEqual(listed.sessions.map((s) => s.name).sort());
    // a session with a child to mark: expected, no mark, not on leave
    const target = listed.sessions.find((s) => s.serving);
    const card = text(page, `#session-${target.id}`);
    expect(card).toContain(target.room);
    expect(card).toContain(`${target.starts_at}–${target.ends_at}`);
    await tap(page, `#session-${target.id}`);
    const url = wxImpl.navigateTo.mock.calls[0][0].url;
    expect(url).toBe(`/pages/session-roster/index?session_id=${target.id}`);

    const roster = await openPage('session-roster', { session_id: String(target.id) });
    expect(exists(roster, '#load-error')).toBe(false);
    expect(exists(roster, '#read-only')).toBe(false);
    const before = await attendance.roster(target.id);
    expect(text(roster, '#count-expected')).toBe(String(before.rows.filter((r) => r.expected).length));
    const child = before.rows.find((r) => r.expected && !r.status && !(r.leave && r.leave.kind !== 'early_pickup'));
    expect(child).toBeTruthy();
    expect(text(roster, `#child-${child.student_id} .child__name`)).toBe(child.name);

    // as a tap does (the handler's promise settles once the server has answered)
    await roster.instance.onTapChild(event(child.student_id));

    expect(puts()).toHaveLength(1);
    expect(puts()[0].status).toBe(200);
    expect(puts()[0].header['Idempotency-Key']).toBeTruthy();
    const marked = await attendance.roster(target.id);
    expect(rowOf(marked, child.student_id)).toEqual(expect.objectContaining({ status: 'present', status_label: '已到' }));
    expect(text(roster, `#child-${child.student_id} .mark`))
      .toBe(`已到 ${attendance.clock(rowOf(marked, child.student_id).arrived_at)}`);
    expect(text(roster, '#undo-text')).toBe(`${child.name} 已到`);
    expect(text(roster, '#count-arrived')).toBe(String(marked.rows.filter((r) => r.expected && ['present', 'late'].indexOf(r.status) >= 0).length));

    await roster.instance.onUndo();

    expect(puts()).toHaveLength(2);
    expect(puts()[1].status).toBe(200);
    expect(rowOf(await attendance.roster(target.id), child.student_id).status).toBeNull();
    expect(text(roster, `#child-${child.student_id} .mark`)).toBe('未点名');
    expect(exists(roster, '#undo-bar')).toBe(false);
    expect(wxImpl.toasts.map((t) => t.title)).toContain('已撤销');

    // a child who belongs to a club today is refused here, with the server's words
    const elsewhere = marked.rows.find((r) => !r.expected && r.club);
    if (elsewhere) {
      await roster.instance.onTapChild(event(elsewhere.student_id));
      expect(puts()[2].status).toBe(409);
      expect(wxImpl.showModal).toHaveBeenLastCalledWith(expect.objectContaining({
        title: '没有保存', content: expect.stringContaining(`${elsewhere.name}今天应在「${elsewhere.club}」社团`),
      }));
      expect(text(roster, `#child-${elsewhere.student_id} .mark`)).toBe('未点名');
      expect(rowOf(await attendance.roster(target.id), elsewhere.student_id).status).toBeNull();
    }
  });

  test('the class head confirms the handover with a child missing, then again with everyone', async () => {
    if (!haveDay()) return;
    actAs('demo-classhead', wxImpl);
    const page = await openPage('handover', { date: ctx.date });
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#class-name')).toBe('一年级1班');
    const classId = page.instance.classId;
    const shown = await attendance.handover(classId, ctx.date);
    expect(shown.day.served).toBe(true);
    const staying = shown.rows.filter((r) => r.expected);
    expect(texts(page, '#expected .pupil__name')).toEqual(staying.map((r) => r.name));
    const missing = staying.find((r) => !r.leave);

    await tap(page, `#pupil-${missing.student_id}`);
    await page.instance.onConfirm();

    expect(wxImpl.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '1 人未到' }));
    const posted = wxImpl.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/handover'));
    expect(posted).toHaveLength(1);
    expect(posted[0].status).toBe(200);
    expect(posted[0].header['Idempotency-Key']).toBeTruthy();
    const saved = (await attendance.handover(classId, ctx.date)).handover;
    expect(saved.missing_ids).toEqual([missing.student_id]);
    expect(saved.present_ids).not.toContain(missing.student_id);
    expect(text(page, '#saved-missing')).toContain(`交接时未到：${missing.name}`);
    expect(text(page, '#saved-when')).toContain(saved.confirmed_by);

    await tap(page, `#pupil-${missing.student_id}`);
    await page.instance.onConfirm();

    const again = (await attendance.handover(classId, ctx.date)).handover;
    expect(again.missing_ids).toEqual([]);
    expect(again.present_ids).toContain(missing.student_id);
    expect(exists(page, '#saved-missing')).toBe(false);
    expect(text(page, '#saved')).toContain(`已交接 ${again.present_ids.length} 人`);
  });

  test('the guardian opens a child\'s day: where, the handover; since when, once the child is marked', async () => {
    if (!haveDay()) return;
    actAs('demo-guardian', wxImpl);
    const profile = await auth.me();
    const days = await Promise.all(profile.children.map((c) => attendance.childDay(c.id, ctx.date)));
    const day = days.find((d) => d.place.kind === 'care_group' || d.place.kind === 'club');
    expect(day).toBeTruthy();

    let page = await openPage('child-day', { student_id: String(day.student_id), date: ctx.date });

    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#student-name')).toBe(day.student_name);
    expect(wxImpl.setNavigationBarTitle).toHaveBeenCalledWith({ title: `${day.student_name}今天在哪` });
    expect(text(page, '#place')).toContain(day.place.label);
    expect(text(page, '#place-room')).toBe(day.place.room);
    expect(text(page, '#place-time')).toBe(`${day.place.starts_at}–${day.place.ends_at}`);
    expect(text(page, '#place-teachers')).toBe(day.place.teachers.join('、'));
    // nobody has marked the child (the teacher's mark, if it was this child, was undone)
    expect(day.attendance).toBeNull();
    expect(text(page, '#headline')).toBe(day.absence_alert ? '还没有到，老师已发出未到提醒' : '还没有签到');
    expect(text(page, '#handover')).toContain(day.handover.label);

    // the admin marks the child present in their session; the guardian sees since when
    actAs('demo-admin', wxImpl);
    const marked = await attendance.mark(day.place.session_id, [{ student_id: day.student_id, status: 'present' }]);
    const arrivedAt = marked.rows.find((r) => r.student_id === day.student_id).arrived_at;
    actAs('demo-guardian', wxImpl);
    page = await openPage('child-day', { student_id: String(day.student_id), date: ctx.date });
    expect(text(page, '#headline')).toBe(`已到，${attendance.clock(arrivedAt)} 起在${day.place.label}`);

    actAs('demo-admin', wxImpl);
    await attendance.mark(day.place.session_id, [{ student_id: day.student_id, status: 'unmarked' }]);
  });
});
