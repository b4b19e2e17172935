/**
 * 服务日历 (home → 学校管理 → 服务日历; query: school_id, optional — default the school where the account is an
 * admin, else one where it is staff): the current term month by month (‹ › within the term), each day coloured
 * by kind — served, a holiday with its name, 调休上班, cancelled, added, not served — the month's count of
 * service days, the calendar's warnings on top, and the month's special days with their reasons.
 *
 *   a day          tap → its kind, note, timetable (开始、作业辅导至、活动开始、各年级结束、冬令时), children on leave
 *   (admin) 停课    a served day: reason required (运动会…), confirm → POST …/calendar/changes {kind: cancel}
 *   (admin) 加开    a day not served: reason + 按周几课表 (which weekday's clubs and tutors run) → {kind: add}
 *   (admin) 撤销调整 a cancelled or added day: confirm → DELETE /calendar-changes/{id}
 *   (admin) 学校设置 调休上班日是否服务 and the other rules (RulesIn), checked as the server checks → PUT …/rules
 *
 * Refusals (DAY_ALREADY_SO, DATE_OUTSIDE_TERM, a change made meanwhile) are shown in a modal; the month reloads
 * after every change. Pull-down and coming back reload the month shown; the settings form is read once and
 * after saving, so a reload never wipes what the admin is typing.
 */
const { showErrorToast } = require('../../services/request');
const calendar = require('../../services/calendar');
const { WEEKDAY_NAMES, shanghaiToday, weekdaysText } = require('../../utils/format');
const { STAFF_ROLES, schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');

const WEEK_HEADS = ['一', '二', '三', '四', '五', '六', '日'];
const LEGEND = [
  { kind: 'regular', label: '服务' },
  { kind: 'holiday', label: '节假日' },
  { kind: 'makeup', label: '调休上班' },
  { kind: 'cancelled', label: '停课' },
  { kind: 'added', label: '加开' },
  { kind: 'not_planned', label: '不服务' },
];
// Days listed under the month with their reason or name.
const SPECIAL_KINDS = ['holiday', 'makeup', 'cancelled', 'added'];
// 按周几课表 for an added day: its own weekday's, or one the school names.
const FOLLOWS_OPTIONS = [{ value: 0, label: '不指定（按当天）' }].concat([1, 2, 3, 4, 5].map((day) => ({
  value: day, label: `按${WEEKDAY_NAMES[day]}课表`,
})));
// Refusals worth a modal: the day is already so, outside the term, or changed by someone else meanwhile.
const MODAL_CODES = ['DAY_ALREADY_SO', 'DATE_OUTSIDE_TERM', 'DAY_CHANGED_CONCURRENTLY', 'CALENDAR_CHANGE_NOT_FOUND'];

/** '2026-11-25' (a Wednesday) → '11月25日 周三'. */
function dayTitle(day) {
  const [, m, d] = day.date.split('-').map(Number);
  return `${m}月${d}日 ${WEEKDAY_NAMES[day.weekday]}`;
}

function hasLeaveCount(day) {
  return day.served && day.leave_count !== undefined && day.leave_count !== null;
}

/** A day's cell: its number, a short tag (a holiday's name), 请假 N when children are on leave. */
function cellView(date, day, { selected, today }) {
  if (!date) return { key: '', date: '', num: '', kind: 'blank', tag: '', leave: '' };
  const num = String(Number(date.slice(8)));
  if (!day) return { key: date, date, num, kind: 'outside', tag: '', leave: '' };
  const named = (day.kind === 'holiday' || day.kind === 'weekend') && day.note;
  return {
    key: date,
    date,
    num,
    kind: day.kind,
    served: day.served,
    tag: named ? day.note : calendar.KIND_TAGS[day.kind] || '',
    leave: hasLeaveCount(day) && day.leave_count > 0 ? `请假${day.leave_count}` : '',
    selected: date === selected,
    today: date === today,
  };
}

/** The tapped day in full, with what an admin may do to it. */
function dayView(day, isAdmin) {
  const kindLabel = day.kind_label || calendar.KIND_LABELS[day.kind] || day.kind;
  let noteText = '';
  if (day.kind === 'cancelled' || day.kind === 'added') noteText = day.note ? `原因：${day.note}` : '';
  else if (day.note && day.note !== kindLabel && day.kind !== 'makeup') noteText = day.note;
  const timetable = day.served ? day.timetable : null;
  return {
    date: day.date,
    title: dayTitle(day),
    kind: day.kind,
    kindLabel,
    noteText,
    served: day.served,
    servedText: day.served ? '提供课后服务' : '不提供课后服务',
    runsAsText: day.served && day.runs_as_weekday !== day.weekday ? `按${WEEKDAY_NAMES[day.runs_as_weekday]}课表` : '',
    rows: calendar.timetableRows(timetable),
    winter: Boolean(timetable && timetable.winter),
    leaveText: hasLeaveCount(day) ? `请假 ${day.leave_count} 人` : '',
    changeId: day.change_id || 0,
    canUndo: isAdmin && Boolean(day.change_id),
    undoLabel: day.kind === 'added' ? '撤销加开' : '撤销停课',
    canCancel: isAdmin && !day.change_id && day.served,
    canAdd: isAdmin && !day.change_id && !day.served,
  };
}

function specialView(day) {
  const kindLabel = day.kind_label || calendar.KIND_LABELS[day.kind];
  return {
    date: day.date,
    title: dayTitle(day),
    kind: day.kind,
    text: [kindLabel, day.kind === 'makeup' ? (day.served ? '提供服务' : '不提供服务') : day.note].filter(Boolean).join(' · '),
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    isAdmin: false,
    weekHeads: WEEK_HEADS,
    legend: LEGEND,
    monthLabel: '',
    hasPrev: false,
    hasNext: false,
    weekdaysText: '',
    serviceDayCount: 0,
    warnings: [],
    cells: [],
    specials: [],
    selected: null,
    // the tapped day's 停课 / 加开 form
    reason: '',
    reasonError: '',
    followsOptions: FOLLOWS_OPTIONS,
    followsIndex: 0,
    acting: 0,
    // 学校设置 (admin)
    rules: null,
    rulesErrors: {},
    rulesFormError: '',
    savingRules: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  /** My school and its current term (once); then the month (`month`, else the one shown) and, once, the rules. */
  load(month) {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => schoolTerm(this, {
      // an admin school first (admins change the calendar); else any school where I am staff
      pick: (profile) => {
        const admin = schoolWithRole(profile, 'admin', this.schoolId);
        this.isAdmin = Boolean(admin);
        return admin || schoolWithRole(profile, STAFF_ROLES, this.schoolId);
      },
      refusal: '仅学校教职工可以查看服务日历',
    }, opts).then(() => {
      const wanted = month || this.month || calendar.startMonth(this.term, shanghaiToday());
      return Promise.all([
        calendar.termCalendar(this.term.id, calendar.monthRange(wanted, this.term), opts),
        this.isAdmin && !this.rulesLoaded ? calendar.getRules(this.school.id, opts) : null,
      ]).then(([days, rules]) => {
        if (!isLatest()) return;
        if (wanted !== this.month) this.selectedDate = '';
        this.month = wanted;
        this.monthData = days;
        if (rules) {
          this.rulesLoaded = true;
          this.setData({ rules: calendar.rulesForm(rules), rulesErrors: {}, rulesFormError: '' });
        }
        this.render();
      });
    }));
  },

  render() {
    const today = shanghaiToday();
    const byDate = {};
    (this.monthData.days || []).forEach((day) => { byDate[day.date] = day; });
    this.byDate = byDate;
    const selected = this.selectedDate && byDate[this.selectedDate] ? this.selectedDate : '';
    const cells = [];
    calendar.monthWeeks(this.month).forEach((week, w) => week.forEach((date, i) => {
      const cell = cellView(date, byDate[date], { selected, today });
      cells.push({ ...cell, key: cell.key || `blank-${w}-${i}` });
    }));
    this.setData({
      ...schoolTermLoaded(this),
      isAdmin: this.isAdmin,
      monthLabel: calendar.monthLabel(this.month),
      hasPrev: this.month > calendar.monthOf(this.term.starts_on),
      hasNext: this.month < calendar.monthOf(this.term.ends_on),
      weekdaysText: weekdaysText(this.monthData.weekdays),
      serviceDayCount: this.monthData.service_day_count || 0,
      warnings: this.monthData.warnings || [],
      cells,
      specials: (this.monthData.days || []).filter((d) => SPECIAL_KINDS.indexOf(d.kind) >= 0).map(specialView),
      selected: selected ? dayView(byDate[selected], this.isAdmin) : null,
    });
  },

  // ---------- month and day ----------

  onPrevMonth() {
    if (!this.data.hasPrev) return Promise.resolve();
    return this.showMonth(calendar.addMonths(this.month, -1));
  },

  onNextMonth() {
    if (!this.data.hasNext) return Promise.resolve();
    return this.showMonth(calendar.addMonths(this.month, 1));
  },

  /** Another month of the term; the day shown goes with the month it was in (once the new one has loaded). */
  showMonth(month) {
    return this.load(month);
  },

  /** A day of the term: its details (and for an admin its form, empty). */
  onPickDay(e) {
    const date = e.currentTarget.dataset.date;
    const day = date && this.byDate && this.byDate[date];
    if (!day) return;
    this.selectedDate = date;
    this.setData({
      reason: '',
      reasonError: '',
      // an added weekday follows its own timetable; a weekend names one
      followsIndex: day.weekday <= 5 ? day.weekday : 0,
    });
    this.render();
  },

  onCloseDay() {
    this.selectedDate = '';
    this.render();
  },

  // ---------- 停课 / 加开 / 撤销调整 (admin) ----------

  onReasonInput(e) {
    this.setData({ reason: e.detail.value, reasonError: '' });
  },

  onFollowsChange(e) {
    this.setData({ followsIndex: Number(e.detail.value) || 0 });
  },

  onCancelDay() {
    return this.changeSelected('cancel');
  },

  onAddDay() {
    return this.changeSelected('add');
  },

  /** 停课 (after a confirmation) or 加开 the selected day, with the reason typed; the month reloads. */
  changeSelected(kind) {
    const day = this.data.selected;
    if (!day || (kind === 'cancel' ? !day.canCancel : !day.canAdd)) return Promise.resolve();
    const reason = String(this.data.reason || '').trim();
    if (!reason) {
      this.setData({ reasonError: kind === 'cancel' ? '请填写停课原因，例如：运动会' : '请填写加开原因，例如：补上运动会停课' });
      return Promise.resolve();
    }
    const follows = FOLLOWS_OPTIONS[this.data.followsIndex] || FOLLOWS_OPTIONS[0];
    return oneAtATime(this, {
      flag: 'changing',
      busyKey: 'acting',
      id: kind,
      ask: kind === 'cancel' ? () => confirm({
        title: '停课',
        content: `确定 ${day.title} 停课吗？原因：${reason}。当天不提供课后服务。`,
        confirmText: '停课',
        confirmColor: '#d64541',
        cancelText: '取消',
      }) : null,
      run: () => calendar.changeDay(this.term.id, {
        date: day.date, kind, reason, followsWeekday: kind === 'add' ? follows.value : 0,
      }, { toast: false }).then(() => {
        this.setData({ reason: '', reasonError: '' });
        wx.showToast({ title: kind === 'cancel' ? '已停课' : '已加开', icon: 'success' });
      }, (err) => this.showRefusal(err)),
    });
  },

  /** 撤销调整: the day goes back to what the calendar says, after a confirmation. */
  onUndo() {
    const day = this.data.selected;
    if (!day || !day.canUndo) return Promise.resolve();
    return oneAtATime(this, {
      flag: 'changing',
      busyKey: 'acting',
      id: 'undo',
      ask: () => confirm({
        title: day.undoLabel,
        content: day.kind === 'added'
          ? `确定撤销 ${day.title} 的加开吗？当天将不提供课后服务。`
          : `确定撤销 ${day.title} 的停课吗？当天将照常提供课后服务。`,
        confirmText: '撤销',
        cancelText: '取消',
      }),
      run: () => calendar.undoChange(day.changeId, { toast: false }).then(() => {
        wx.showToast({ title: '已撤销', icon: 'success' });
      }, (err) => this.showRefusal(err)),
    });
  },

  showRefusal(err) {
    const fields = err.fields || {};
    if (fields.reason) this.setData({ reasonError: fields.reason });
    else if (MODAL_CODES.indexOf(err.code) >= 0) notice('未能调整', err.message);
    else showErrorToast(err);
  },

  // ---------- 学校设置 (admin) ----------

  onRuleInput(e) {
    const field = e.currentTarget.dataset.field;
    if (calendar.RULE_FIELDS.indexOf(field) < 0) return;
    this.setRule(field, e.detail.value);
  },

  onMakeupSwitch(e) {
    this.setRule('service_on_makeup_days', Boolean(e.detail.value));
  },

  onCutoffChange(e) {
    this.setRule('leave_cutoff', e.detail.value);
  },

  setRule(field, value) {
    const update = { [`rules.${field}`]: value, [`rulesErrors.${field}`]: '', rulesFormError: '' };
    // the pair is checked together
    if (field === 'group_max') update['rulesErrors.class_keeps_group_at'] = '';
    this.setData(update);
  },

  /** Checked here as the server checks, then PUT; the month reloads (调休上班日 may be served now, or not). */
  onSaveRules() {
    if (!this.data.rules || this.savingRules) return Promise.resolve();
    const { payload, errors } = calendar.checkRules(this.data.rules);
    if (errors) {
      this.setData({ rulesErrors: errors, rulesFormError: '请按提示修改' });
      return Promise.resolve();
    }
    this.savingRules = true;
    this.setData({ savingRules: true, rulesErrors: {}, rulesFormError: '' });
    return calendar.saveRules(this.school.id, payload, { toast: false }).then((saved) => {
      this.setData({ rules: calendar.rulesForm(saved) });
      wx.showToast({ title: '已保存设置', icon: 'success' });
      return this.load();
    }, (err) => {
      const fields = err.fields || {};
      const rulesErrors = {};
      Object.keys(fields).forEach((key) => {
        if (calendar.RULE_FIELDS.indexOf(key) >= 0) rulesErrors[key] = fields[key];
      });
      const known = Object.keys(rulesErrors).length > 0;
      // a rule across fields (单独成班人数 ≤ 上限) comes as `body`, in Chinese
      const message = known ? '请按提示修改' : fields.body || err.message || '未能保存，请稍后再试';
      this.setData({ rulesErrors, rulesFormError: message });
      if (!known && !fields.body) showErrorToast(err);
    }).then(() => {
      this.savingRules = false;
      this.setData({ savingRules: false });
    });
  },
});
