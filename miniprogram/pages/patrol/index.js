/**
 * 巡查 (query: session_id; from pages/duty-today): one patrol of one session, made to be filled with one hand while
 * standing in the doorway —
 *   教师在岗   是 / 否, two big buttons (是 to begin with: nearly always so)
 *   人数       a stepper with big − / + (the number can be typed too), begun at the roll call's present count
 *   秩序       良好 / 一般 / 较差, three big buttons; chosen each time (no default: it is the patrol's judgement)
 *   备注       optional
 * 提交 → POST /duty/patrols with an Idempotency-Key kept across taps (a tap again after no answer came records one
 * patrol, not two). Saved → the time it was recorded, and when the headcount is not the roll call's present count
 * (`headcount_differs`) a warning to check with the teacher. 再记一次 starts a new one; 返回 goes back to the list.
 *
 * The session and its present count come from GET /duty/today (read again on coming back; the count typed stays).
 */
const duty = require('../../services/duty');
const { timeRange } = require('../../services/attendance');
const { staffSchool } = require('../../utils/school-term');
const { NOT_LOADED, RELOADING, loadPage, keyKeeper, sendKept, notice } = require('../../utils/page');

const MAX_HEADCOUNT = 200; // PatrolIn.headcount_seen
const MAX_NOTE = 500;

function clampCount(value) {
  const n = Math.floor(Number(value));
  if (Number.isNaN(n) || n < 0) return 0;
  return Math.min(n, MAX_HEADCOUNT);
}

Page({
  data: {
    ...NOT_LOADED,
    session: null,
    orders: duty.ORDERS,
    teacherPresent: true,
    headcount: 0,
    order: '',
    note: '',
    orderError: '',
    submitting: false,
    saved: null,
    maxNote: MAX_NOTE,
  },

  onLoad(query = {}) {
    this.sessionId = Number(query.session_id) || 0;
    this.schoolId = Number(query.school_id) || 0;
    this.saveKey = keyKeeper();
    this.counted = false; // the headcount has been begun (or changed): a reload leaves it
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      if (!this.sessionId) throw new Error('未找到该场次，请从今日值班进入');
      return staffSchool(this, { roles: duty.DUTY_ROLES, refusal: '只有学校的教职工可以记录巡查' })
        .then((school) => duty.today({ schoolId: school.id }, opts))
        .then((day) => {
          if (!isLatest()) return;
          const s = (day.sessions || []).find((x) => x.session_id === this.sessionId);
          if (!s) throw new Error('今天没有这个场次，请从今日值班进入');
          const update = {
            loading: false,
            loaded: true,
            errorMessage: '',
            session: {
              name: s.name,
              where: [s.room, timeRange(s.starts_at, s.ends_at)].filter(Boolean).join(' · '),
              teachersText: (s.teachers || []).join('、') || '未安排老师',
              present: s.present_count,
              expected: s.expected_count,
              done: s.patrols_done,
              planned: s.patrols_expected,
            },
          };
          if (!this.counted) {
            this.counted = true;
            update.headcount = clampCount(s.present_count);
          }
          this.setData(update);
          wx.setNavigationBarTitle({ title: `巡查 · ${s.name}` });
        });
    });
  },

  onTeacher(e) {
    this.setData({ teacherPresent: e.currentTarget.dataset.value === 'yes' });
  },

  onMinus() {
    this.setData({ headcount: clampCount(this.data.headcount - 1) });
  },

  onPlus() {
    this.setData({ headcount: clampCount(this.data.headcount + 1) });
  },

  onHeadcountInput(e) {
    this.setData({ headcount: clampCount(e.detail.value) });
  },

  onOrder(e) {
    this.setData({ order: e.currentTarget.dataset.key, orderError: '' });
  },

  onNote(e) {
    this.setData({ note: e.detail.value });
  },

  onSubmit() {
    if (!this.data.order) {
      this.setData({ orderError: '请选择秩序：良好、一般或较差' });
      return Promise.resolve();
    }
    const body = {
      sessionId: this.sessionId,
      teacherPresent: this.data.teacherPresent,
      headcountSeen: this.data.headcount,
      order: this.data.order,
      note: String(this.data.note || '').trim(),
    };
    return sendKept(this, {
      keeper: this.saveKey,
      body,
      send: (key) => duty.recordPatrol(body, { toast: false, idempotencyKey: key }),
      saved: (patrol) => {
        const warning = duty.headcountWarning(patrol);
        this.setData({
          saved: {
            text: `已记录 ${patrol.time} 的巡查`,
            detail: `${patrol.teacher_present ? '教师在岗' : '教师不在岗'} · 看到 ${patrol.headcount_seen} 人 · 秩序${patrol.order_label}`,
            warning,
          },
        });
        if (!warning) wx.showToast({ title: '已记录', icon: 'success' });
        return this.load();
      },
      refused: (err) => notice('没有记录', err.message),
    });
  },

  /** Another patrol of the same session: the form as at first (the headcount from the roll call again). */
  onAgain() {
    this.counted = false;
    this.setData({ saved: null, teacherPresent: true, order: '', note: '', orderError: '' });
    return this.load();
  },

  onBack() {
    wx.navigateBack({ delta: 1 });
  },
});
