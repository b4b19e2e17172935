/**
 * 校长看板 (admin; home → 校长看板): the school's key numbers on the phone, big, one card each.
 *
 * 今天: GET /pickup/board (in care, released, still here, late, with the guard, 清校) and GET /reports/schools/{id}
 * ?from=<today>&to=<today> (attendance expected / present / leave / absent, incidents, patrols done / due). A day
 * without service says so; a today before the term (the report then answers for the term's first day) shows no
 * attendance for it.
 * 本学期: GET /reports/schools/{id} (the current term from its start to today): participation (approved / eligible),
 * attendance, teacher participation, patrols, late pickups, incidents by type, the fullest clubs, fees in 元,
 * satisfaction, and the last 30 service days' attendance as bars (plain views, heights in %; a tap says the day).
 *
 * The three are asked together; the first load shows the error screen if any fails, a later one (coming back,
 * pull-down) keeps the numbers and says why in a toast. Links: 放学看板, 当日报告, 突发情况.
 */
const pickup = require('../../services/pickup');
const reports = require('../../services/reports');
const { clock, dayTitle } = require('../../services/attendance');
const { formatRecent, shanghaiToday } = require('../../utils/format');
const { loadStaffPage } = require('../../utils/school-term');
const { NOT_LOADED, RELOADING } = require('../../utils/page');

/** Today's numbers: the board, and the day's report when it is about today. */
function todayView(board, report, date) {
  const clearance = board.clearance;
  const inRange = report.from === date && report.to === date;
  const att = report.attendance;
  return {
    served: board.served,
    inCare: board.in_care,
    released: board.released,
    remaining: board.remaining,
    late: board.late,
    withGuard: board.with_guard,
    cleared: Boolean(clearance),
    clearanceText: clearance ? `已清校 ${clock(clearance.cleared_at)} · ${clearance.cleared_by}` : '尚未清校',
    inTerm: inRange,
    expected: inRange ? att.expected : 0,
    present: inRange ? att.present : 0,
    leave: inRange ? att.leave : 0,
    absent: inRange ? att.absent : 0,
    attendanceRate: reports.percentText(inRange ? att.attendance_rate : 0),
    incidents: inRange ? report.incidents.total : 0,
    incidentsOpen: inRange ? report.incidents.open : 0,
    patrolsDone: inRange ? report.patrols.done : 0,
    patrolsDue: inRange ? report.patrols.due : 0,
  };
}

/** This term's numbers (the whole report, as the cards show it). */
function termView(report) {
  const p = report.participation;
  const att = report.attendance;
  const t = report.teachers;
  const fees = report.fees;
  const bars = reports.attendanceBars(att.series);
  return {
    name: report.term.name,
    range: `${reports.monthDay(report.from)} – ${reports.monthDay(report.to)}`,
    participationRate: reports.percentText(p.participation_rate),
    approved: p.approved,
    eligible: p.eligible,
    applied: p.applied,
    attendanceRate: reports.percentText(att.attendance_rate),
    present: att.present,
    expected: att.expected,
    leave: att.leave,
    days: att.series.length,
    teacherRate: reports.percentText(t.participation_rate),
    teachersParticipating: t.participating,
    teachersStaff: t.staff,
    patrolRate: reports.percentText(report.patrols.rate),
    patrolsDone: report.patrols.done,
    patrolsDue: report.patrols.due,
    late: report.pickups.late,
    withGuard: report.pickups.with_guard,
    incidents: report.incidents.total,
    incidentsOpen: report.incidents.open,
    incidentTypes: reports.incidentTypes(report.incidents.by_type),
    clubs: reports.topClubs(report.clubs),
    clubCount: report.clubs.length,
    fees: {
      billed: reports.yuanText(fees.billed_cents),
      waived: reports.yuanText(fees.waived_cents),
      due: reports.yuanText(fees.due_cents),
      children: fees.children_billed,
      waiversHalf: fees.waivers_half,
      waiversFull: fees.waivers_full,
    },
    satisfaction: reports.satisfactionView(report.satisfaction),
    bars,
    barsFrom: bars.length ? reports.monthDay(bars[0].date) : '',
    barsTo: bars.length ? reports.monthDay(bars[bars.length - 1].date) : '',
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    dateTitle: '',
    today: null,
    term: null,
    barIndex: -1,
    barText: '',
    updatedText: '',
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: reports.PRINCIPAL_ROLES,
      refusal: '只有学校管理员可以查看校长看板',
    }, (school, isLatest) => {
      const date = shanghaiToday();
      return Promise.all([
        pickup.board({ schoolId: school.id }, opts),
        reports.schoolDashboard(school.id, { from: date, to: date }, opts),
        reports.schoolDashboard(school.id, {}, opts),
      ]).then(([board, day, term]) => {
        if (!isLatest()) return;
        const termData = termView(term);
        // the day tapped stays picked across reloads while its bar is still there; else the last day
        const picked = termData.bars.findIndex((b) => b.date === this.barDate);
        const barIndex = picked >= 0 ? picked : termData.bars.length - 1;
        this.setData({
          loading: false,
          loaded: true,
          errorMessage: '',
          schoolName: this.school.name,
          dateTitle: dayTitle(board.date || date),
          today: todayView(board, day, date),
          term: termData,
          barIndex,
          barText: barIndex >= 0 ? termData.bars[barIndex].text : '',
          updatedText: formatRecent(term.computed_at),
        });
      });
    });
  },

  onBar(e) {
    const index = Number(e.currentTarget.dataset.index);
    const bar = this.data.term && this.data.term.bars[index];
    if (!bar) return;
    this.barDate = bar.date;
    this.setData({ barIndex: index, barText: bar.text });
  },

  onBoard() {
    wx.navigateTo({ url: '/pages/pickup-board/index' });
  },

  onDutyReport() {
    wx.navigateTo({ url: '/pages/duty-report/index' });
  },

  onIncidents() {
    wx.navigateTo({ url: '/pages/incidents/index' });
  },
});
