/**
 * 请假 (guardian; query: student_id): the form, then the child's leave history.
 *
 *   类型      病假 / 事假 / 提前接走 (the child comes and is collected early: one day, with a time)
 *   日期      the child's own upcoming service days, from the term calendar (GET /terms/{id}/calendar): served,
 *            from today on, a weekday on the child's approved application; days already on leave are shown
 *            as 已请假. One or several (at most 20); 提前接走 takes one.
 *   原因      required
 *
 * 提交 → POST /leave-requests (idempotent). The server's refusals (a day gone, not a service day, already on
 * leave, a pickup time outside the day's service) show on their field with its message. A request for today
 * after the school's cut-off is accepted and flagged urgent: the guardian is told the teachers were notified.
 *
 * 请假记录 (GET /students/{id}/leave-requests): kind, days, status, the class head's word; 撤销 (confirm) on
 * those still cancellable (POST /leave-requests/{id}/cancel; days already past stay on record).
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const enrollment = require('../../services/enrollment');
const leave = require('../../services/leave');
const terms = require('../../services/terms');
const { shanghaiToday } = require('../../utils/format');
const { childOf } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');

// Days shown before 更多日期: two school weeks.
const FIRST_DAYS = 10;
const EMPTY_FORM = { kind: 'sick', dates: [], reason: '', earlyPickupTime: '' };
const NO_ERRORS = { kindError: '', datesError: '', timeError: '', reasonError: '', formError: '' };
const ERROR_KEYS = { kind: 'kindError', dates: 'datesError', early_pickup_time: 'timeError', reason: 'reasonError', '': 'formError' };

function errorData(errors) {
  const out = { ...NO_ERRORS };
  Object.keys(errors).forEach((field) => { out[ERROR_KEYS[field] || 'formError'] = errors[field]; });
  return out;
}

Page({
  data: {
    ...NOT_LOADED,
    childName: '',
    childMeta: '',
    termName: '',
    inCare: false,
    notInCareText: '',
    leaveCutoff: '',
    kinds: leave.KINDS,
    form: { ...EMPTY_FORM },
    dayItems: [],
    moreDays: 0,
    showAllDays: false,
    pickupStart: '',
    pickupEnd: '',
    ...NO_ERRORS,
    submitting: false,
    history: [],
    cancellingId: 0,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    this.days = [];
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => me(opts).then((profile) => {
      const child = childOf(profile, this.studentId);
      return terms.currentTerm(child.school_id, opts).then((term) => {
        const today = shanghaiToday();
        const from = today > term.starts_on ? today : term.starts_on;
        const calendar = from > term.ends_on
          ? Promise.resolve({ days: [] })
          // no published plan yet: no service days, so nothing to ask leave for
          : leave.termDays(term.id, { from, to: term.ends_on }, opts)
            .catch((err) => { if (err.code === 'PLAN_NOT_PUBLISHED') return { days: [] }; throw err; });
        return Promise.all([
          enrollment.myApplications(term.id, opts),
          leave.childLeaves(child.id, opts),
          calendar,
        ]).then(([apps, leaves, shown]) => {
          if (!isLatest()) return;
          const app = (apps || []).find((a) => a.student_id === child.id && a.term_id === term.id);
          const inCare = Boolean(app && app.status === 'approved');
          this.days = inCare ? leave.leaveDays(shown.days, {
            weekdays: app.weekdays, today, leavesOn: app.leaves_on, taken: leave.takenDates(leaves),
          }) : [];
          // a day taken meanwhile (another phone) or gone by is no longer selectable
          const open = this.days.filter((d) => !d.taken).map((d) => d.date);
          const dates = this.data.form.dates.filter((d) => open.indexOf(d) >= 0);
          this.setData({
            loading: false,
            loaded: true,
            errorMessage: '',
            childName: child.name,
            childMeta: [child.class_name, child.school_name].filter(Boolean).join(' · '),
            termName: term.name,
            inCare,
            notInCareText: inCare ? '' : `${child.name}本学期没有参加课后服务，无需请假。`,
            leaveCutoff: shown.leave_cutoff || '',
            'form.dates': dates,
            history: (leaves || []).map((l) => leave.leaveView(l)),
          });
          this.renderDays();
        });
      });
    }));
  },

  /** The day chips from this.days and the selection; the pickup time's range from the chosen day. */
  renderDays() {
    const selected = this.data.form.dates;
    const all = this.days.map((d) => ({
      date: d.date, label: d.label, isToday: d.isToday, taken: d.taken, selected: selected.indexOf(d.date) >= 0,
    }));
    const showAll = this.data.showAllDays || all.slice(FIRST_DAYS).some((d) => d.selected);
    const day = this.days.find((d) => d.date === selected[0]) || this.days[0];
    const window = leave.pickupWindow(day && day.timetable);
    this.setData({
      dayItems: showAll ? all : all.slice(0, FIRST_DAYS),
      moreDays: showAll ? 0 : Math.max(0, all.length - FIRST_DAYS),
      showAllDays: showAll,
      pickupStart: window.start,
      pickupEnd: window.end,
    });
  },

  onKind(e) {
    const kind = e.currentTarget.dataset.kind;
    const update = { 'form.kind': kind, kindError: '', formError: '' };
    // an early pickup is for one day: keep the earliest chosen
    if (kind === 'early_pickup' && this.data.form.dates.length > 1) {
      update['form.dates'] = this.data.form.dates.slice().sort().slice(0, 1);
      update.datesError = '';
    }
    if (kind !== 'early_pickup') update.timeError = '';
    this.setData(update);
    this.renderDays();
  },

  onDay(e) {
    const date = e.currentTarget.dataset.date;
    const day = this.days.find((d) => d.date === date);
    if (!day || day.taken) return;
    let dates = this.data.form.dates.slice();
    if (dates.indexOf(date) >= 0) dates = dates.filter((d) => d !== date);
    else if (this.data.form.kind === 'early_pickup') dates = [date];
    else dates.push(date);
    dates.sort();
    this.setData({ 'form.dates': dates, datesError: '', formError: '' });
    this.renderDays();
  },

  onMoreDays() {
    this.setData({ showAllDays: true });
    this.renderDays();
  },

  onTime(e) {
    this.setData({ 'form.earlyPickupTime': e.detail.value, timeError: '', formError: '' });
  },

  onReason(e) {
    this.setData({ 'form.reason': e.detail.value, reasonError: '', formError: '' });
  },

  onSubmit() {
    if (this.submitting || !this.data.inCare) return Promise.resolve();
    const { payload, errors } = leave.checkLeave(this.data.form, this.studentId);
    if (errors) {
      this.setData(errorData(errors));
      return Promise.resolve();
    }
    this.submitting = true;
    this.setData({ submitting: true, ...NO_ERRORS });
    return leave.requestLeave(payload, { toast: false }).then(
      (saved) => {
        this.setData({ form: { ...EMPTY_FORM } });
        if (saved && saved.urgent) {
          notice('已提交，已通知老师', '今天的请假已过截止时间，系统已立即通知孩子今天的看护老师。班主任处理后会通知您。');
        } else {
          wx.showToast({ title: '已提交', icon: 'success' });
        }
        return this.load();
      },
      (err) => {
        this.setData(errorData(leave.refusalErrors(err)));
        // a day taken or gone meanwhile: show the days as they are now (the rest of the form stays)
        if (err.code === 'LEAVE_OVERLAP' || err.code === 'LEAVE_DATE_PAST') return this.load();
        return undefined;
      },
    ).then(() => {
      this.submitting = false;
      this.setData({ submitting: false });
    });
  },

  /** 撤销, after a confirmation; days already past stay on record. */
  onCancel(e) {
    const id = Number(e.currentTarget.dataset.id);
    const item = this.data.history.find((h) => h.id === id);
    if (!item || !item.cancellable) return Promise.resolve();
    const today = shanghaiToday();
    const past = item.dates.some((d) => d < today);
    return oneAtATime(this, {
      flag: 'cancelling',
      busyKey: 'cancellingId',
      id,
      ask: () => confirm({
        title: '撤销请假',
        content: `撤销${item.kindLabel}（${item.datesText}）吗？撤销后孩子按原安排参加课后服务，班主任会收到通知。`
          + (past ? '已过去的日期仍保留在记录中。' : ''),
        confirmText: '撤销',
        confirmColor: '#d64541',
        cancelText: '不撤销',
      }),
      run: () => leave.cancelLeave(id, { toast: false }).then(
        () => wx.showToast({ title: '已撤销', icon: 'success' }),
        (err) => {
          if (err.code === 'LEAVE_PAST') notice('不能撤销', err.message);
          else showErrorToast(err);
        },
      ),
    });
  },
});
