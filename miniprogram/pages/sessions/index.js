/**
 * 今日托管 (teacher, class head, duty leader, admin; home → 今日托管; query: date, optional): the sessions of a
 * day — teachers and class heads the ones they serve, admins and duty leaders the whole school — each with its
 * name, room, times, teachers and 应到 / 已到 / 请假 counts; ‹ › and the date picker look at another day
 * (今天 brings it back). A day without service says why, in the calendar's words (国庆节, 运动会…).
 * Tap a session → its roster (pages/session-roster); its 看护记录 → the care log (pages/care-log). Coming back,
 * pull-down and 重新加载 reload the day.
 */
const attendance = require('../../services/attendance');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');
const { DAY_BAR, DAY_SWITCHER, startDay, restoreDayBar } = require('../../utils/day-switcher');

function sessionView(s, multiSchool, schoolNames) {
  const expected = s.expected_count;
  const arrived = s.arrived_count;
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    kindLabel: s.kind_label,
    // 示范小学 · 一年级1班教室 · 15:40–16:50 (the school only when the caller works at several)
    where: [multiSchool ? schoolNames[s.school_id] : '', s.room, attendance.timeRange(s.starts_at, s.ends_at)]
      .filter(Boolean).join(' · '),
    teachersText: s.teachers.map((t) => t.name).join('、') || '未安排老师',
    serving: s.serving,
    expected,
    arrived,
    leave: s.leave_count,
    // arrived may pass expected (a child marked here who belongs elsewhere): the bar stops at full
    percent: expected ? Math.min(100, Math.round((arrived / expected) * 100)) : 0,
    complete: expected > 0 && arrived >= expected,
  };
}

/** The schools' words on the day: why there is no service (per school when there are several). */
function dayNotes(days, multiSchool) {
  return (days || []).filter((d) => !d.served).map((d) => ({
    key: String(d.school_id),
    school: multiSchool ? d.school_name : '',
    reason: attendance.noServiceReason(d),
  }));
}

Page({
  data: {
    ...NOT_LOADED,
    ...DAY_BAR,
    notes: [],
    sessions: [],
    emptyMessage: '',
  },

  onLoad(query = {}) {
    startDay(this, query.date);
  },

  ...RELOADING,
  ...DAY_SWITCHER,

  load() {
    const date = this.date;
    return loadPage(this, (isLatest) => attendance.listSessions(date, { toast: false }).then((result) => {
      if (!isLatest()) return;
      const days = result.days || [];
      const multiSchool = days.length > 1;
      const schoolNames = {};
      days.forEach((d) => { schoolNames[d.school_id] = d.school_name; });
      const sessions = (result.sessions || []).slice()
        .sort((a, b) => Number(b.serving) - Number(a.serving)) // mine first (stable: the server's order after)
        .map((s) => sessionView(s, multiSchool, schoolNames));
      const notes = dayNotes(days, multiSchool);
      let emptyMessage = '';
      if (!sessions.length && notes.length < days.length) emptyMessage = '这一天没有您的托管场次';
      this.shownDate = date;
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        notes,
        sessions,
        emptyMessage,
      });
    })).then(() => restoreDayBar(this, date));
  },

  onPickDate(e) {
    return this.showDate(e.detail.value);
  },

  onOpen(e) {
    const id = e.currentTarget.dataset.id;
    wx.navigateTo({ url: `/pages/session-roster/index?session_id=${id}` });
  },

  onCareLog(e) {
    wx.navigateTo({ url: `/pages/care-log/index?session_id=${e.currentTarget.dataset.id}` });
  },
});
