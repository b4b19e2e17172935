/**
 * @jest-environment jsdom
 *
 * End to end: the leave and care-group pages rendered with miniprogram-simulate, their requests going over Node's
 * http to the demo server (tests/e2e/backend.js). The demo clock is real time, so the days come from the term's
 * calendar as the server has them, never from an assumed "today".
 *
 *   demo-guardian   asks leave (事假) for one of the child's upcoming served days (not today, so never urgent), is
 *                   refused a second request for the same day, asks 病假 for another, cancels the first
 *   demo-classhead  sees the 病假 waiting in 请假审批 and notes it (知悉) with a comment; the guardian sees it noted
 *   demo-teacher    withdraws her 看护报名
 *   demo-admin      sees the withdrawn tutor warned about, rebuilds (the result says what changed, per weekday),
 *                   adds and removes a tutor by hand, moves a fourth-grader into a first-grade group (warned), and
 *                   rebuilds again: the child stays, the warning is in the result
 *   demo-teacher    offers again
 */
require('miniprogram-simulate');
const auth = require('../../services/auth');
const caregroups = require('../../services/caregroups');
const enrollment = require('../../services/enrollment');
const leave = require('../../services/leave');
const terms = require('../../services/terms');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, phoneActingAs } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(90000);

/** A tap's event for calling a page handler directly (and awaiting its real requests). */
const ev = (dataset = {}, detail = {}) => ({ currentTarget: { dataset }, detail });

describeIfBackend('leave and care groups against the real backend (demo-server)', () => {
  useDemoBackend('demo-guardian');
  let wxImpl;
  const ctx = {};

  function freshWx(openid) {
    wxImpl = phoneActingAs(openid);
    return wxImpl;
  }
  const toastTitles = () => wxImpl.toasts.map((t) => t.title);

  beforeAll(async () => {
    freshWx('demo-guardian');
    const profile = await auth.me();
    const child = profile.children[0];
    ctx.term = await terms.currentTerm(child.school_id);
    const apps = await enrollment.myApplications(ctx.term.id);
    const inCare = apps.find((a) => a.status === 'approved');
    ctx.child = profile.children.find((c) => c.id === inCare.student_id);
  });

  test('the guardian asks leave for a served day, is refused the same day again, asks another day, and cancels the first', async () => {
    freshWx('demo-guardian');
    const page = await openPage('leave-request', { student_id: String(ctx.child.id) });
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#child-name')).toBe(`${ctx.child.name} · 请假`);

    // the page's days are served days of the child, as the server's calendar has them
    const open = page.instance.data.dayItems.filter((d) => !d.isToday && !d.taken);
    expect(open.length).toBeGreaterThanOrEqual(2);
    const [first, second] = open;
    const served = await leave.termDays(ctx.term.id, { from: first.date, to: second.date });
    expect(served.days.find((d) => d.date === first.date).served).toBe(true);
    expect(served.days.find((d) => d.date === second.date).served).toBe(true);
    ctx.first = first.date;
    ctx.second = second.date;

    await tap(page, '#kind-personal');
    await tap(page, `#day-${first.date}`);
    await type(page, '#reason-input', '回老家参加婚礼');
    await page.instance.onSubmit();
    expect(toastTitles()).toEqual(['已提交']);
    expect(exists(page, '#dates-error')).toBe(false);
    const [mine] = await leave.childLeaves(ctx.child.id);
    expect(mine).toEqual(expect.objectContaining({
      kind: 'personal', dates: [first.date], reason: '回老家参加婚礼', status: 'submitted', urgent: false, cancellable: true,
    }));
    ctx.firstId = mine.id;
    expect(text(page, `#leave-${mine.id}`)).toContain('待班主任处理');
    expect(text(page, `#day-${first.date}`)).toContain('已请假');

    // the same day again (as from a second phone): the server's refusal on the dates
    page.instance.setData({ 'form.dates': [first.date], 'form.reason': '再请一次' });
    await page.instance.onSubmit();
    expect(text(page, '#dates-error')).toContain('已有请假，请勿重复申请');
    expect(await leave.childLeaves(ctx.child.id)).toHaveLength(1);

    await tap(page, '#kind-sick');
    await tap(page, `#day-${second.date}`);
    await type(page, '#reason-input', '感冒发烧');
    await page.instance.onSubmit();
    const [sick] = await leave.childLeaves(ctx.child.id);
    expect(sick).toEqual(expect.objectContaining({ kind: 'sick', dates: [second.date], status: 'submitted' }));
    ctx.secondId = sick.id;

    await page.instance.onCancel(ev({ id: ctx.firstId }));
    expect(wxImpl.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '撤销请假' }));
    expect(toastTitles()).toEqual(['已提交', '已提交', '已撤销']);
    expect(text(page, `#leave-${ctx.firstId}`)).toContain('已撤销');
    expect(exists(page, `#leave-${ctx.firstId} .cancel-btn`)).toBe(false);
    const cancelled = (await leave.childLeaves(ctx.child.id)).find((l) => l.id === ctx.firstId);
    expect(cancelled.status).toBe('cancelled');
    expect(text(page, `#day-${first.date}`)).not.toContain('已请假');
  });

  test('the class head notes the waiting request; the guardian sees it noted', async () => {
    freshWx('demo-classhead');
    const page = await openPage('leave-review');
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#class-name')).toContain(ctx.child.class_name);
    const ids = page.instance.data.items.map((i) => i.id);
    expect(ids).toContain(ctx.secondId);
    expect(ids).not.toContain(ctx.firstId);

    await type(page, `#leave-${ctx.secondId} .comment-input`, '好好休息');
    await page.instance.onNote(ev({ id: ctx.secondId }));
    expect(toastTitles()).toEqual(['已知悉']);
    expect(exists(page, `#leave-${ctx.secondId}`)).toBe(false);

    // the cancelled one under 已撤销
    await page.instance.onStatus(ev({ status: 'cancelled' }));
    expect(page.instance.data.items.map((i) => i.id)).toContain(ctx.firstId);

    freshWx('demo-guardian');
    const noted = (await leave.childLeaves(ctx.child.id)).find((l) => l.id === ctx.secondId);
    expect(noted).toEqual(expect.objectContaining({ status: 'noted', comment: '好好休息' }));
    const mine = await openPage('leave-request', { student_id: String(ctx.child.id) });
    expect(text(mine, `#leave-${ctx.secondId}`)).toContain('班主任已知悉');
    expect(text(mine, `#leave-${ctx.secondId}`)).toContain('班主任留言：好好休息');
  });

  test('a teacher withdraws her offer; the admin sees it warned, rebuilds, and the result says what changed', async () => {
    freshWx('demo-teacher');
    const offerPage = await openPage('tutor-offer');
    expect(exists(offerPage, '#load-error')).toBe(false);
    expect(text(offerPage, '#offer-status')).toContain('已报名');
    ctx.teacherDays = offerPage.instance.data.selected.slice();
    expect(ctx.teacherDays.length).toBeGreaterThan(0);
    expect(texts(offerPage, '#assignments .assignment').length).toBeGreaterThan(0);
    await offerPage.instance.onWithdraw();
    expect(toastTitles()).toEqual(['已撤回']);
    expect(text(offerPage, '#offer-status')).toBe('尚未报名');

    freshWx('demo-admin');
    const before = await caregroups.listGroups(ctx.term.id);
    const withdrawn = before.warnings.filter((w) => w.code === 'TUTOR_NOT_OFFERED');
    expect(withdrawn.length).toBe(ctx.teacherDays.length);

    const page = await openPage('care-groups');
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#fig-groups')).toBe(String(before.groups.length));
    expect(texts(page, '#warnings .warning__tag')).toEqual(withdrawn.map(() => '教师已撤回报名'));
    expect(text(page, '#build-btn')).toBe('更新临时班');

    await page.instance.onBuild();
    expect(wxImpl.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '更新临时班' }));
    expect(toastTitles()).toEqual(['已更新临时班']);
    const result = text(page, '#build-result');
    expect(result).toContain(`调整掉看护安排 ${withdrawn.length} 人次`);
    const after = await caregroups.listGroups(ctx.term.id);
    expect(after.warnings.filter((w) => w.code === 'TUTOR_NOT_OFFERED')).toHaveLength(0);
    // per weekday, the page's totals are the server's
    caregroups.weekTotals(after).forEach((day) => {
      expect(text(page, `#result-day-${day.weekday}`)).toBe(`${day.label}${day.children} 人${day.tutors} / 需 ${day.needed} 名`);
    });
    expect(page.querySelectorAll('.group')).toHaveLength(after.groups.length);
    if (after.warnings.length) expect(exists(page, '#result-warnings')).toBe(true);
    else expect(text(page, '#result-ok')).toBe('没有违反分班规则的情况。');
    ctx.groups = after.groups;
  });

  test('the admin sets a tutor by hand, moves a fourth-grader into a first-grade group, and rebuilds', async () => {
    freshWx('demo-admin');
    const target = ctx.groups.find((g) => g.grade === 1);
    const from = ctx.groups.find((g) => g.grade === 4);
    const page = await openPage('care-group', { group_id: String(target.id), term_id: String(ctx.term.id) });
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#group-name')).toBe(target.name);

    // a tutor who offered Monday and is free then, by hand
    const monday = page.instance.data.days.find((d) => d.weekday === 1);
    const choice = page.instance.choices[1][0];
    expect(choice.busy).toBe(false);
    await page.instance.onAddTutor(ev({ weekday: 1 }, { value: 0 }));
    let detail = await caregroups.getGroup(target.id);
    const mondayTutors = detail.days.find((d) => d.weekday === 1).tutors;
    expect(mondayTutors).toContainEqual(expect.objectContaining({ staff_id: choice.staffId, placed_by: 'hand' }));
    expect(page.instance.data.days.find((d) => d.weekday === 1).tutors).toHaveLength(monday.tutors.length + 1);
    expect(text(page, `#tutor-1-${choice.staffId}`)).toContain('指定');

    // and off again (confirmed)
    await page.instance.onRemoveTutor(ev({ weekday: 1, staff: choice.staffId }));
    detail = await caregroups.getGroup(target.id);
    expect(detail.days.find((d) => d.weekday === 1).tutors.map((t) => t.staff_id)).not.toContain(choice.staffId);

    // a child of another grade, with a reason: allowed, and warned
    await page.instance.onOpenMove();
    const sourceIndex = page.instance.data.sourceLabels.findIndex((l) => l.indexOf(`${from.name}（`) === 0);
    expect(sourceIndex).toBeGreaterThanOrEqual(0);
    await page.instance.onSource(ev({}, { value: sourceIndex }));
    const moved = page.instance.students[0];
    await page.instance.onStudent(ev({}, { value: 0 }));
    await type(page, '#move-reason', '与一年级的弟弟同班看护');
    await page.instance.onMove();
    const warned = wxImpl.showModal.mock.calls.map(([o]) => o).find((o) => o.title === '已调入，请注意');
    expect(warned.content).toContain('不是一年级学生');
    expect(text(page, `#member-${moved.id}`)).toContain('手动调入：与一年级的弟弟同班看护');
    expect(text(page, '#warnings')).toContain('跨年级');

    // a rebuild keeps the child here, and its result names the rule broken
    const list = await openPage('care-groups');
    expect(texts(list, '#warnings .warning__tag')).toContain('跨年级');
    await list.instance.onBuild();
    expect(text(list, '#result-warnings')).toContain('跨年级');
    expect(text(list, '#result-warnings')).toContain(moved.label.split('（')[0]);
    detail = await caregroups.getGroup(target.id);
    expect(detail.roster).toContainEqual(expect.objectContaining({ student_id: moved.id, placed_by: 'hand' }));
  });

  test('the teacher offers again', async () => {
    freshWx('demo-teacher');
    const page = await openPage('tutor-offer');
    expect(text(page, '#save-btn')).toBe('报名看护');
    for (const day of ctx.teacherDays) await tap(page, `#weekday-${day}`);
    await type(page, '#note-input', '周一、周三指导社团');
    await page.instance.onSave();
    expect(toastTitles()).toEqual(['已报名']);
    expect(text(page, '#offer-status')).toContain('已报名');
    const profile = await auth.me();
    const mine = await caregroups.getOffer(ctx.term.id, profile.schools[0].staff_id);
    expect(mine.weekdays).toEqual(ctx.teacherDays);
    expect(mine.note).toBe('周一、周三指导社团');
  });
});
