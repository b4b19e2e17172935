/**
 * 放学看板 / 清校 (duty leader, guard, admin; home → 放学清校): GET /pickup/board — the day's children in care, released,
 * still here, late and with the guard; the same by grade and by care group or club; the children still here (where,
 * end time, late); when the last release was. It refreshes itself every 15 s while shown (quietly: a failed refresh
 * keeps the board), and on coming back, pull-down and 重新加载.
 *
 * 清校 (duty leader, admin; confirm) → POST /pickup/clearance: recorded only when nobody is left; else 409
 * SCHOOL_NOT_CLEAR and the page lists who is still here and where (the error's `errors`). Once recorded the board
 * says when and by whom.
 */
const pickup = require('../../services/pickup');
const attendance = require('../../services/attendance');
const { loadStaffPage } = require('../../utils/school-term');
const { hasRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, confirm } = require('../../utils/page');

const REFRESH_MS = 15000;
const GROUPINGS = [
  { key: 'grade', label: '按年级' },
  { key: 'group', label: '按班组' },
];

function countView(count) {
  return {
    key: count.key,
    name: count.name,
    inCare: count.in_care,
    released: count.released,
    remaining: count.remaining,
    late: count.late,
    progress: count.in_care ? Math.round((count.released / count.in_care) * 100) : 100,
  };
}

function boardView(board) {
  return {
    served: board.served,
    totals: {
      inCare: board.in_care,
      released: board.released,
      remaining: board.remaining,
      late: board.late,
      withGuard: board.with_guard,
    },
    latestRelease: board.latest_release_at ? attendance.clock(board.latest_release_at) : '',
    byGrade: board.by_grade.map(countView),
    byGroup: board.by_group.map(countView),
    stillHere: board.not_released.map((c) => ({
      id: c.student_id,
      name: c.name,
      className: c.class_name,
      place: c.place,
      endTime: c.end_time || '',
      lateLabel: c.late === 'with_guard' ? '已交门卫' : (c.late === 'late' ? '超时未接' : ''),
    })),
    clearance: board.clearance ? {
      at: attendance.clock(board.clearance.cleared_at),
      by: board.clearance.cleared_by,
      count: board.clearance.released_count,
    } : null,
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    served: true,
    totals: null,
    latestRelease: '',
    groupings: GROUPINGS,
    grouping: 'grade',
    byGrade: [],
    byGroup: [],
    stillHere: [],
    clearance: null,
    canClear: false,
    clearing: false,
    notClear: null,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  onShow() {
    this.shown = true;
    return this.load();
  },

  onHide() {
    this.shown = false;
    this.clearTimer();
  },

  onUnload() {
    this.onHide();
  },

  load({ quiet = false } = {}) {
    this.clearTimer();
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: pickup.BOARD_ROLES,
      refusal: '只有值班领导、门卫和学校管理员可以查看放学看板',
    }, (school, isLatest) => pickup.board({ schoolId: school.id }, opts).then((board) => {
      if (!isLatest()) return;
      this.setData({
        ...boardView(board),
        schoolName: this.school.name,
        canClear: hasRole(this.school, pickup.CLEARANCE_ROLES),
        loading: false,
        loaded: true,
        errorMessage: '',
      });
    }), { quiet }).then(() => this.scheduleRefresh());
  },

  scheduleRefresh() {
    this.clearTimer();
    if (this.shown && this.data.loaded) this.timer = setTimeout(() => { this.timer = null; this.load({ quiet: true }); }, REFRESH_MS);
  },

  clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  },

  onGrouping(e) {
    this.setData({ grouping: e.currentTarget.dataset.key });
  },

  /** 清校: only when nobody is left; otherwise who is still here, and where. */
  onClear() {
    if (this.data.clearing || !this.data.canClear) return Promise.resolve();
    this.setData({ clearing: true, notClear: null });
    return confirm({
      title: '确认清校？',
      content: '确认全校课后服务的学生都已离校。',
      confirmText: '确认清校',
    }).then((ok) => {
      if (!ok) return undefined;
      return pickup.clearSchool({ schoolId: this.school.id }, { toast: false }).then(
        () => wx.showToast({ title: '已清校', icon: 'success' }),
        (err) => {
          if (err.code === 'SCHOOL_NOT_CLEAR') {
            this.setData({
              notClear: {
                title: err.message,
                children: (err.errors || []).map((c) => ({ id: c.student_id, text: c.message })),
              },
            });
          } else {
            wx.showToast({ title: err.message, icon: 'none' });
          }
        },
      ).then(() => this.load());
    }).then(() => this.setData({ clearing: false }));
  },
});
