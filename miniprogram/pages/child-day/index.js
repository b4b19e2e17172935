/**
 * 今天在哪 (guardian; home → a child's card → 今天在哪; query: student_id, date — optional, default today): where the
 * child should be that day — care group or club, room, times, teachers — whether they have arrived and since
 * when, their leave, and the class head's handover; a day without service says why (国庆节, 运动会…). ‹ › look at
 * another day. 请假 opens the leave form (pages/leave-request). Coming back (from the leave form too), pull-down
 * and 重新加载 reload.
 */
const attendance = require('../../services/attendance');
const { shanghaiToday } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');
const { DAY_BAR, DAY_SWITCHER, startDay, restoreDayBar } = require('../../utils/day-switcher');

const PLACE_KINDS = { care_group: '看护班', club: '社团' };

/** The one line a guardian reads first: here since 16:05, not yet, on leave, not in care today. */
function headline(result) {
  const { place, attendance: mark, leave } = result;
  if (place.kind === 'not_in_care') return { tone: 'muted', text: place.label || '今天不参加托管' };
  if (place.kind === 'leave') return { tone: 'muted', text: `今天请假${leave ? `：${leave.kind_label}` : ''}` };
  if (mark && attendance.isArrived(mark.status)) {
    const since = attendance.clock(mark.arrived_at);
    return { tone: 'ok', text: `${mark.status_label}${since ? `，${since} 起` : ''}在${place.label}` };
  }
  if (mark && mark.status === 'absent') return { tone: 'danger', text: '老师记为缺席' };
  if (mark && mark.status === 'leave') return { tone: 'muted', text: '老师记为请假' };
  if (result.absence_alert) return { tone: 'danger', text: '还没有到，老师已发出未到提醒' };
  return { tone: 'waiting', text: '还没有签到' };
}

function view(result, today) {
  const { day, place } = result;
  const served = day.served;
  const hasPlace = served && (place.kind === 'care_group' || place.kind === 'club' || place.kind === 'unplaced');
  return {
    studentName: result.student_name,
    dateTitle: attendance.dayTitle(result.date),
    noService: served ? '' : attendance.noServiceReason(day),
    headline: served ? headline(result) : null,
    place: hasPlace ? {
      kindLabel: PLACE_KINDS[place.kind] || '',
      label: place.label,
      room: place.room || '',
      time: attendance.timeRange(place.starts_at, place.ends_at),
      teachersText: (place.teachers || []).join('、'),
    } : null,
    leaveText: result.leave ? result.leave.label : '',
    handover: result.handover ? {
      status: result.handover.status,
      text: result.handover.label,
      at: attendance.clock(result.handover.confirmed_at),
    } : null,
    // leave is asked for today or later
    canAskLeave: result.date >= today,
  };
}

Page({
  data: {
    ...NOT_LOADED,
    ...DAY_BAR,
    studentName: '',
    noService: '',
    headline: null,
    place: null,
    leaveText: '',
    handover: null,
    canAskLeave: false,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    startDay(this, query.date);
  },

  ...RELOADING,
  ...DAY_SWITCHER,

  load() {
    const date = this.date;
    return loadPage(this, (isLatest) => {
      if (!this.studentId) throw new Error('未找到该孩子，请从首页重新进入');
      return attendance.childDay(this.studentId, date, { toast: false }).then((result) => {
        if (!isLatest()) return;
        this.shownDate = date;
        wx.setNavigationBarTitle({ title: `${result.student_name}今天在哪` });
        this.setData({ ...view(result, shanghaiToday()), loading: false, loaded: true, errorMessage: '' });
      });
    }).then(() => restoreDayBar(this, date));
  },

  onAskLeave() {
    wx.navigateTo({
      url: `/pages/leave-request/index?student_id=${this.studentId}`,
      fail: () => wx.showToast({ title: '请假功能暂未开放，请稍后再试', icon: 'none' }),
    });
  },
});
