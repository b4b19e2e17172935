/**
 * @jest-environment jsdom
 *
 * End to end: pages/calendar rendered with miniprogram-simulate, its requests going over Node's http to the demo
 * server (tests/e2e/backend.js) as demo-admin (教导处). The demo term has a published plan (周一至周五).
 *
 * The admin opens the calendar on today's month (as the server counts it), cancels a served day for 运动会 —
 * the page and the server both show it cancelled with its reason — and undoes it; adds a weekend day that follows
 * Friday's timetable and undoes that; and saves the school's 调休上班日 rule, read back from the server.
 */
require('miniprogram-simulate');
const auth = require('../../services/auth');
const calendar = require('../../services/calendar');
const terms = require('../../services/terms');
const { shanghaiToday } = require('../../utils/format');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, type, pick, text, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createNodeWx } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(60000);

describeIfBackend('the service calendar against the real backend (demo-server)', () => {
  useDemoBackend('demo-admin');
  let wxImpl;
  const ctx = {};

  beforeAll(async () => {
    global.wx = createNodeWx();
    const profile = await auth.me();
    ctx.school = profile.schools.find((s) => s.roles.indexOf('admin') >= 0);
    ctx.term = await terms.currentTerm(ctx.school.id);
  });

  beforeEach(() => {
    wxImpl = createNodeWx();
    wxImpl.navigateTo = jest.fn();
    wxImpl.stopPullDownRefresh = jest.fn();
    wxImpl.showModal = jest.fn((options) => setTimeout(() => options.success && options.success({ confirm: true, cancel: false }), 0));
    global.wx = wxImpl;
  });

  /** The calendar page on a month of the term with a day of `kind`; resolves with the page and that day. */
  async function openOnMonthWith(predicate) {
    const page = await openPage('calendar');
    expect(exists(page, '#load-error')).toBe(false);
    for (let i = 0; i < 8; i += 1) {
      const month = page.instance.month;
      const shown = await calendar.termCalendar(ctx.term.id, calendar.monthRange(month, ctx.term));
      const day = shown.days.find(predicate);
      if (day) return { page, day, month };
      if (!page.instance.data.hasNext) break;
      await tap(page, '#next-month');
    }
    throw new Error('no such day in the term');
  }

  test('opens on today\'s month with the server\'s count of service days', async () => {
    const page = await openPage('calendar');
    expect(exists(page, '#load-error')).toBe(false);
    const month = calendar.startMonth(ctx.term, shanghaiToday());
    expect(page.instance.month).toBe(month);
    expect(text(page, '#month-label')).toBe(calendar.monthLabel(month));
    expect(text(page, '#term-name')).toBe(`${ctx.school.name} · ${ctx.term.name}`);

    const shown = await calendar.termCalendar(ctx.term.id, calendar.monthRange(month, ctx.term));
    expect(text(page, '#service-count')).toBe(`本月服务 ${shown.service_day_count} 天`);
    shown.days.forEach((day) => {
      expect(page.querySelector(`#day-${day.date}`).dom.className).toContain(`cell--${day.kind}`);
    });
    expect(page.querySelectorAll('.warning')).toHaveLength(shown.warnings.length);
    // the admin's settings, as the server has them
    const rules = await calendar.getRules(ctx.school.id);
    expect(page.instance.data.rules).toEqual(calendar.rulesForm(rules));
  });

  test('the admin cancels a served day for 运动会, sees it cancelled (page and server), and undoes it', async () => {
    const { page, day } = await openOnMonthWith((d) => d.kind === 'regular');
    const before = Number(text(page, '#service-count').match(/\d+/)[0]);

    await tap(page, `#day-${day.date}`);
    expect(text(page, '#day-kind')).toBe('正常服务');
    expect(page.instance.data.selected.rows.length).toBeGreaterThan(3);
    await tap(page, '#cancel-btn');
    expect(text(page, '#reason-error')).toBe('请填写停课原因，例如：运动会');
    await type(page, '#reason-input', '运动会');
    await page.instance.onCancelDay();

    expect(wxImpl.toasts.map((t) => t.title)).toEqual(['已停课']);
    expect(page.querySelector(`#day-${day.date}`).dom.className).toContain('cell--cancelled');
    expect(text(page, '#day-kind')).toBe('停课');
    expect(text(page, '#day-note')).toBe('原因：运动会');
    expect(text(page, '#service-count')).toBe(`本月服务 ${before - 1} 天`);
    const cancelled = (await calendar.termCalendar(ctx.term.id, { from: day.date, to: day.date })).days[0];
    expect(cancelled).toEqual(expect.objectContaining({ kind: 'cancelled', served: false, note: '运动会', timetable: null }));
    expect(cancelled.change_id).toBeTruthy();

    await page.instance.onUndo();
    expect(wxImpl.toasts.map((t) => t.title)).toEqual(['已停课', '已撤销']);
    expect(page.querySelector(`#day-${day.date}`).dom.className).toContain('cell--regular');
    expect(text(page, '#day-kind')).toBe('正常服务');
    expect(exists(page, '#cancel-btn')).toBe(true);
    expect(text(page, '#service-count')).toBe(`本月服务 ${before} 天`);
    const restored = (await calendar.termCalendar(ctx.term.id, { from: day.date, to: day.date })).days[0];
    expect(restored).toEqual(expect.objectContaining({ kind: 'regular', served: true, change_id: null }));
  });

  test('a served day the calendar serves anyway cannot be "added": the server\'s refusal in a modal', async () => {
    const { page, day } = await openOnMonthWith((d) => d.kind === 'regular');
    // the page offers 停课 only; ask the server to add it anyway, as a stale page would
    await tap(page, `#day-${day.date}`);
    page.instance.setData({ selected: { ...page.instance.data.selected, canAdd: true, canCancel: false } });
    await type(page, '#reason-input', '补课');
    await page.instance.onAddDay();
    expect(wxImpl.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能调整', content: '该日本来就提供服务' }));
    const still = (await calendar.termCalendar(ctx.term.id, { from: day.date, to: day.date })).days[0];
    expect(still.kind).toBe('regular');
  });

  test('a weekend day added on Friday\'s timetable, then undone', async () => {
    const { page, day } = await openOnMonthWith((d) => d.kind === 'weekend' && !d.note);

    await tap(page, `#day-${day.date}`);
    await type(page, '#reason-input', '补上运动会');
    await pick(page, '#follows-picker', 5);
    await page.instance.onAddDay();

    expect(page.querySelector(`#day-${day.date}`).dom.className).toContain('cell--added');
    expect(text(page, '#day-served')).toBe('提供课后服务（按周五课表）');
    const added = (await calendar.termCalendar(ctx.term.id, { from: day.date, to: day.date })).days[0];
    expect(added).toEqual(expect.objectContaining({ kind: 'added', served: true, runs_as_weekday: 5, note: '补上运动会' }));

    await page.instance.onUndo();
    expect(page.querySelector(`#day-${day.date}`).dom.className).toContain('cell--weekend');
    const back = (await calendar.termCalendar(ctx.term.id, { from: day.date, to: day.date })).days[0];
    expect(back).toEqual(expect.objectContaining({ kind: 'weekend', served: false, change_id: null }));
  });

  test('the school\'s settings are saved and read back; a rule the server refuses is shown', async () => {
    const page = await openPage('calendar');
    const original = await calendar.getRules(ctx.school.id);

    await type(page, '#group-max-input', '40');
    await type(page, '#class-keeps-input', '41');
    await tap(page, '#save-rules-btn');
    expect(text(page, '#class-keeps-error')).toBe('单独成班人数不能超过临时班人数上限');

    await type(page, '#class-keeps-input', '28');
    page.querySelector('#makeup-switch').dispatchEvent('change', { detail: { value: !original.service_on_makeup_days } });
    await pick(page, '#cutoff-picker', '13:30');
    await page.instance.onSaveRules();
    expect(exists(page, '#rules-form-error')).toBe(false);
    expect(await calendar.getRules(ctx.school.id)).toEqual(expect.objectContaining({
      service_on_makeup_days: !original.service_on_makeup_days, group_max: 40, class_keeps_group_at: 28, leave_cutoff: '13:30',
    }));

    // back as it was
    await calendar.saveRules(ctx.school.id, {
      service_on_makeup_days: original.service_on_makeup_days, group_max: original.group_max,
      class_keeps_group_at: original.class_keeps_group_at, children_per_tutor: original.children_per_tutor,
      absence_alert_minutes: original.absence_alert_minutes, leave_cutoff: original.leave_cutoff,
    });
  });
});
