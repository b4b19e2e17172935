/**
 * @jest-environment jsdom
 *
 * End to end: the 校长看板 (pages/principal) rendered with miniprogram-simulate, its requests going over Node's http
 * to the demo server (tests/e2e/backend.js) as demo-admin (教导处). Every number on the page is checked against what
 * the server then says: the term's report (participation as GET /terms/{id}/applications/summary counts it too),
 * today's report (?from=today&to=today) and today's board.
 */
require('miniprogram-simulate');
const auth = require('../../services/auth');
const enrollment = require('../../services/enrollment');
const pickup = require('../../services/pickup');
const reports = require('../../services/reports');
const { shanghaiToday } = require('../../utils/format');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(60000);

describeIfBackend('校长看板 against the real backend (demo-server)', () => {
  useDemoBackend('demo-admin');
  const ctx = {};

  beforeAll(async () => {
    global.wx = createNodeWx();
    Object.assign(global.wx, { navigateTo: jest.fn(), stopPullDownRefresh: jest.fn() });
    ctx.school = (await auth.me()).schools.find((s) => s.roles.indexOf('admin') >= 0);
  });

  test('this term: the participation numbers (and the other rates) are the server\'s', async () => {
    const page = await openPage('principal');
    expect(exists(page, '#load-error')).toBe(false);
    const term = await reports.schoolDashboard(ctx.school.id);
    const summary = await enrollment.summary(term.term.id);

    expect(text(page, '#school-name')).toBe(ctx.school.name);
    expect(text(page, '#participation-rate')).toBe(reports.percentText(term.participation.participation_rate));
    expect(text(page, '#participation-approved')).toBe(String(term.participation.approved));
    expect(text(page, '#participation-eligible')).toBe(String(term.participation.eligible));
    // the demo term has applications: the figures are not all zero, and the summary counts the same
    expect(term.participation.approved).toBeGreaterThan(0);
    expect(term.participation.eligible).toBe(summary.eligible);
    expect(term.participation.approved).toBe(summary.by_status.approved);
    expect(term.participation.participation_rate).toBe(summary.participation_rate);

    expect(text(page, '#term-title')).toBe(`${term.term.name}（${reports.monthDay(term.from)} – ${reports.monthDay(term.to)}）`);
    expect(text(page, '#attendance-rate')).toBe(reports.percentText(term.attendance.attendance_rate));
    expect(text(page, '#attendance-counts')).toBe(`已到 ${term.attendance.present} / 应到 ${term.attendance.expected} 人次`);
    expect(text(page, '#teacher-rate')).toBe(reports.percentText(term.teachers.participation_rate));
    expect(text(page, '#teacher-counts')).toBe(`${term.teachers.participating} / ${term.teachers.staff} 位教师`);
    expect(text(page, '#patrol-rate')).toBe(reports.percentText(term.patrols.rate));
    expect(text(page, '#late-pickups')).toBe(String(term.pickups.late));
    expect(text(page, '#fee-due')).toBe(`${reports.yuanText(term.fees.due_cents)} 元`);
    expect(text(page, '#fee-billed')).toBe(`${reports.yuanText(term.fees.billed_cents)} 元`);
    expect(page.querySelectorAll('.bar')).toHaveLength(Math.min(reports.BAR_DAYS, term.attendance.series.length));
    expect(texts(page, '.club__name')).toEqual(reports.topClubs(term.clubs).map((c) => c.name));
  });

  test('today: the board\'s totals and today\'s attendance are the server\'s', async () => {
    const page = await openPage('principal');
    const today = shanghaiToday();
    const board = await pickup.board({ schoolId: ctx.school.id });
    const day = await reports.schoolDashboard(ctx.school.id, { from: today, to: today });

    if (!board.served) {
      console.warn(`principal e2e: ${today} is not a service day; today's board numbers not checked`);
      expect(exists(page, '#not-served')).toBe(true);
      return;
    }
    expect(text(page, '#today-in-care')).toBe(String(board.in_care));
    expect(text(page, '#today-released')).toBe(String(board.released));
    expect(text(page, '#today-remaining')).toBe(String(board.remaining));
    expect(text(page, '#today-late')).toBe(String(board.late));
    expect(text(page, '#today-guard')).toBe(String(board.with_guard));
    if (day.from === today && day.to === today) {
      expect(text(page, '#today-expected')).toBe(String(day.attendance.expected));
      expect(text(page, '#today-present')).toBe(String(day.attendance.present));
      expect(text(page, '#today-leave')).toBe(String(day.attendance.leave));
      expect(text(page, '#today-absent')).toBe(String(day.attendance.absent));
      expect(text(page, '#today-patrols')).toBe(`${day.patrols.done}/${day.patrols.due}`);
      expect(text(page, '#today-incidents')).toBe(String(day.incidents.total));
    } else {
      expect(exists(page, '#today-not-in-term')).toBe(true);
    }
  });
});
