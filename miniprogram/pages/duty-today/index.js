/**
 * 今日值班 (duty leader; any staff may look; home → 今日值班): GET /duty/today — whether I am on duty today and as
 * what, what is expected of me, who leads and who patrols, and each session with its patrols: expected, due now,
 * done, when the next one falls due, and the children present / expected. Sessions with patrols due now come first,
 * highlighted; then by the next one's time; those whose patrols are all done last.
 *
 * Tap a session → the patrol form (pages/patrol?session_id=) — for whoever is on duty today (or an admin; the
 * server refuses anyone else, so the page says it first). Links: 突发情况 (pages/incidents), 当日报告
 * (pages/duty-report, duty leaders and admins) and 放学看板 for 清校 (pages/pickup-board).
 * Coming back (after a patrol), pull-down and 重新加载 reload.
 */
const duty = require('../../services/duty');
const pickup = require('../../services/pickup');
const { dayTitle } = require('../../services/attendance');
const { loadStaffPage } = require('../../utils/school-term');
const { hasRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING } = require('../../utils/page');

const NOT_ON_DUTY = '今天不是您值班，不能记录巡查';

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    dateTitle: '',
    served: true,
    onDuty: false,
    roleLabel: '',
    leaderText: '',
    patrolsText: '',
    expected: [],
    sessions: [],
    dueSessions: 0,
    canPatrol: false,
    canReport: false,
    canBoard: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: duty.DUTY_ROLES,
      refusal: '只有学校的教职工可以查看值班',
    }, (school, isLatest) => duty.today({ schoolId: school.id }, opts).then((day) => {
      if (!isLatest()) return;
      const sessions = duty.patrolOrder(day.sessions);
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        schoolName: this.school.name,
        dateTitle: dayTitle(day.date),
        served: day.served,
        onDuty: day.on_duty,
        roleLabel: day.role_label || '',
        leaderText: day.leader ? duty.personText(day.leader) : '',
        patrolsText: duty.patrolsText(day.patrols),
        expected: day.expected || [],
        sessions,
        dueSessions: sessions.filter((s) => s.due > 0).length,
        canPatrol: day.on_duty || hasRole(this.school, 'admin'),
        canReport: hasRole(this.school, duty.REPORT_ROLES),
        canBoard: hasRole(this.school, pickup.BOARD_ROLES),
      });
    }));
  },

  onOpenSession(e) {
    if (!this.data.canPatrol) {
      wx.showToast({ title: NOT_ON_DUTY, icon: 'none' });
      return;
    }
    wx.navigateTo({ url: `/pages/patrol/index?session_id=${e.currentTarget.dataset.id}` });
  },

  onIncidents() {
    wx.navigateTo({ url: '/pages/incidents/index' });
  },

  onReport() {
    wx.navigateTo({ url: '/pages/duty-report/index' });
  },

  onBoard() {
    wx.navigateTo({ url: '/pages/pickup-board/index' });
  },
});
