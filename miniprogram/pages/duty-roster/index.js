/**
 * 值班安排 (admin; home → 值班安排): the next two weeks' service days (the term's calendar, GET /terms/{id}/calendar)
 * with who is on duty each day (GET /duty/roster): the leader, the patrol staff, and a swap with who was replaced
 * and why; a served day nobody is on yet says 未排.
 *
 *   生成值班表   POST /duty/terms/{term}/roster/generate (confirm): round-robin over the duty leaders from today to the
 *               term's end; days already on the roster keep their leader. 重新轮排 (confirm, in red) overwrites them.
 *   调整         a day: the leader (a duty leader or an admin, from GET /schools/{id}/staff) and any patrol staff →
 *               PUT /duty/roster (the whole day).
 *   换班         a day: who is replaced, by whom (for the leader, another duty leader or admin), and why →
 *               POST /duty/roster/swap.
 * Every change keeps its Idempotency-Key across taps; a refusal (NOT_A_DUTY_LEADER, ALREADY_ON_DUTY, …) is said in a
 * modal. Coming back, pull-down and 重新加载 reload.
 */
const duty = require('../../services/duty');
const calendar = require('../../services/calendar');
const { dayTitle } = require('../../services/attendance');
const { listStaff } = require('../../services/clubs');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');
const {
  NOT_LOADED, RELOADING, loadPage, keyKeeper, sendKept, confirm, notice,
} = require('../../utils/page');

/** The term's days in the range (none before a plan is published, none outside the term). */
function termDays(term, range, opts) {
  const from = range.from > term.starts_on ? range.from : term.starts_on;
  const to = range.to < term.ends_on ? range.to : term.ends_on;
  if (from > to) return Promise.resolve([]);
  return calendar.termCalendar(term.id, { from, to }, opts).then(
    (out) => out.days || [],
    (err) => { if (err.code === 'PLAN_NOT_PUBLISHED') return []; throw err; },
  );
}

/** A day as the list shows it: served days and days on the roster, in date order. */
function dayView(date, onRoster) {
  const leader = onRoster && onRoster.leader;
  return {
    date,
    title: dayTitle(date),
    leaderText: leader ? duty.personText(leader) : '',
    patrolsText: onRoster ? duty.patrolsText(onRoster.patrols) : '',
    assigned: Boolean(onRoster && (leader || onRoster.patrols.length)),
  };
}

function staffLabel(s) {
  return s.name;
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    days: [],
    planMissing: false,
    generating: false,
    editing: null,
    leaderOptions: [],
    patrolChips: [],
    saving: false,
    swapping: null,
    swapFromOptions: [],
    swapToOptions: [],
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.dayKey = keyKeeper();
    this.swapKey = keyKeeper();
    this.generateKey = keyKeeper();
    this.staff = null;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    const range = duty.rosterRange();
    return loadPage(this, (isLatest) => schoolTerm(this, { roles: 'admin', refusal: '只有学校管理员可以安排值班' }, opts)
      .then(() => Promise.all([
        duty.roster({ ...range, schoolId: this.school.id }, opts),
        termDays(this.term, range, opts),
        this.staff ? this.staff : listStaff(this.school.id, opts),
      ]))
      .then(([roster, days, staff]) => {
        if (!isLatest()) return;
        this.staff = (staff || []).filter((s) => s.is_active !== false);
        this.rosterByDate = {};
        roster.forEach((d) => { this.rosterByDate[d.date] = d; });
        const dates = days.filter((d) => d.served).map((d) => d.date);
        roster.forEach((d) => { if (dates.indexOf(d.date) < 0) dates.push(d.date); });
        dates.sort();
        this.setData({
          ...schoolTermLoaded(this),
          days: dates.map((date) => dayView(date, this.rosterByDate[date])),
          planMissing: days.length === 0 && roster.length === 0,
        });
      }));
  },

  // ---------- 生成值班表 ----------

  onGenerate(e) {
    const overwrite = e.currentTarget.dataset.overwrite === 'yes';
    const body = { overwrite };
    return sendKept(this, {
      busy: 'generating',
      ask: () => confirm({
        title: overwrite ? '重新轮排？' : '生成值班表',
        content: overwrite
          ? `从今天到${this.term.name}结束，按值班领导轮流重新排，已排的日子也会被替换（换班记录随之清除）。`
          : `从今天到${this.term.name}结束，按值班领导轮流排到每个服务日；已排的日子保留不变。`,
        confirmText: overwrite ? '重新轮排' : '生成',
        confirmColor: overwrite ? '#d64541' : '#1a7f64',
      }),
      keeper: this.generateKey,
      body,
      send: (key) => duty.generate(this.term.id, body, { toast: false, idempotencyKey: key }),
      saved: (days) => {
        wx.showToast({ title: `已排 ${(days || []).length} 天`, icon: 'success' });
        return this.load();
      },
      refused: (err) => notice('没有生成', err.message),
    });
  },

  // ---------- 调整一天 ----------

  leaders() {
    return this.staff.filter(duty.canLead);
  },

  onEdit(e) {
    const date = e.currentTarget.dataset.date;
    const day = this.rosterByDate[date];
    const leaders = this.leaders();
    const leaderIndex = day && day.leader ? leaders.findIndex((s) => s.id === day.leader.staff_id) : -1;
    this.dayKey.forget();
    this.setData({
      swapping: null,
      editing: {
        date,
        title: dayTitle(date),
        leaderIndex,
        leaderName: leaderIndex >= 0 ? leaders[leaderIndex].name : '',
        patrolIds: day ? day.patrols.map((p) => p.staff_id) : [],
        error: '',
      },
      leaderOptions: leaders.map(staffLabel),
    });
    this.renderPatrols();
  },

  renderPatrols() {
    const editing = this.data.editing;
    const leader = this.leaders()[editing.leaderIndex];
    this.setData({
      patrolChips: this.staff.filter((s) => !leader || s.id !== leader.id)
        .map((s) => ({ id: s.id, name: s.name, on: editing.patrolIds.indexOf(s.id) >= 0 })),
    });
  },

  onLeader(e) {
    const index = Number(e.detail.value);
    const leader = this.leaders()[index];
    const patrolIds = this.data.editing.patrolIds.filter((id) => !leader || id !== leader.id);
    this.setData({
      'editing.leaderIndex': index,
      'editing.leaderName': leader ? leader.name : '',
      'editing.patrolIds': patrolIds,
      'editing.error': '',
    });
    this.renderPatrols();
  },

  onTogglePatrol(e) {
    const id = Number(e.currentTarget.dataset.id);
    const ids = this.data.editing.patrolIds;
    this.setData({ 'editing.patrolIds': ids.indexOf(id) >= 0 ? ids.filter((x) => x !== id) : ids.concat([id]) });
    this.renderPatrols();
  },

  onCancelEdit() {
    this.setData({ editing: null, swapping: null });
  },

  onSaveDay() {
    const editing = this.data.editing;
    const leader = this.leaders()[editing.leaderIndex];
    if (!leader) {
      this.setData({ 'editing.error': '请选择值班领导' });
      return Promise.resolve();
    }
    const body = { date: editing.date, leaderStaffId: leader.id, patrolStaffIds: editing.patrolIds.slice().sort((a, b) => a - b) };
    return sendKept(this, {
      busy: 'saving',
      keeper: this.dayKey,
      body,
      send: (key) => duty.setDay(body, { schoolId: this.school.id }, { toast: false, idempotencyKey: key }),
      saved: () => {
        this.setData({ editing: null });
        wx.showToast({ title: '已保存', icon: 'success' });
        return this.load();
      },
      refused: (err) => notice('没有保存', err.message),
    });
  },

  // ---------- 换班 ----------

  onSwap(e) {
    const date = e.currentTarget.dataset.date;
    const day = this.rosterByDate[date];
    if (!day) return;
    const people = (day.leader ? [day.leader] : []).concat(day.patrols);
    this.swapPeople = people;
    this.swapKey.forget();
    this.setData({
      editing: null,
      swapping: { date, title: dayTitle(date), fromIndex: -1, toIndex: -1, fromName: '', toName: '', reason: '', error: '' },
      swapFromOptions: people.map((p) => `${p.name}（${p.role_label}）`),
      swapToOptions: [],
    });
  },

  /** Who may take `from`'s place that day: not already on duty; for the leader, a duty leader or an admin. */
  swapCandidates(from) {
    const onDuty = this.swapPeople.map((p) => p.staff_id);
    return this.staff.filter((s) => onDuty.indexOf(s.id) < 0 && (from.role !== 'leader' || duty.canLead(s)));
  },

  onSwapFrom(e) {
    const index = Number(e.detail.value);
    const from = this.swapPeople[index];
    this.swapTo = this.swapCandidates(from);
    this.setData({
      'swapping.fromIndex': index,
      'swapping.fromName': from.name,
      'swapping.toIndex': -1,
      'swapping.toName': '',
      'swapping.error': '',
      swapToOptions: this.swapTo.map(staffLabel),
    });
  },

  onSwapTo(e) {
    const index = Number(e.detail.value);
    this.setData({ 'swapping.toIndex': index, 'swapping.toName': this.swapTo[index].name, 'swapping.error': '' });
  },

  onSwapReason(e) {
    this.setData({ 'swapping.reason': e.detail.value, 'swapping.error': '' });
  },

  onSaveSwap() {
    const s = this.data.swapping;
    const from = this.swapPeople[s.fromIndex];
    const to = this.swapTo && this.swapTo[s.toIndex];
    const reason = String(s.reason || '').trim();
    let error = '';
    if (!from) error = '请选择换下的人';
    else if (!to) error = '请选择换上的人';
    else if (!reason) error = '请写明换班原因';
    if (error) {
      this.setData({ 'swapping.error': error });
      return Promise.resolve();
    }
    const body = { date: s.date, fromStaffId: from.staff_id, toStaffId: to.id, reason };
    return sendKept(this, {
      busy: 'saving',
      keeper: this.swapKey,
      body,
      send: (key) => duty.swap(body, { schoolId: this.school.id }, { toast: false, idempotencyKey: key }),
      saved: () => {
        this.setData({ swapping: null });
        wx.showToast({ title: '已换班', icon: 'success' });
        return this.load();
      },
      refused: (err) => notice('没有换班', err.message),
    });
  },
});
