/**
 * The term's published service plan (服务方案公示): service days, dismissal times per grade band,
 * content, fees and waivers, safety measures and the agreement text.
 *
 * Query: term_id (that term), or student_id (the current term of that child's school), or nothing
 * (the current term of the first child's school, else of the first school the account works at).
 */
const { me } = require('../../services/auth');
const enrollment = require('../../services/enrollment');
const terms = require('../../services/terms');
const { formatTime, weekdaysText } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');

const BANDS = [
  ['low', '低年级（1–2 年级）'],
  ['mid', '中年级（3–4 年级）'],
  ['high', '高年级（5–6 年级）'],
];

function timesOf(source) {
  return BANDS.filter(([key]) => source && source[key]).map(([key, label]) => ({ key, label, time: source[key] }));
}

function feeText(plan) {
  if (!plan.fee_cents) return '免费';
  if (plan.fee_period === 'month') {
    return `每月 ${enrollment.yuan(plan.fee_cents)} 元，本学期合计 ${enrollment.yuan(plan.term_fee_cents)} 元`;
  }
  return `每学期 ${enrollment.yuan(plan.fee_cents)} 元`;
}

function planView(plan) {
  return {
    version: plan.version,
    publishedAt: formatTime(plan.published_at, true),
    weekdaysText: weekdaysText(plan.weekdays),
    times: timesOf(plan.end_times),
    winter: plan.winter ? { startsOn: plan.winter.starts_on, times: timesOf(plan.winter) } : null,
    homeworkMinutes: plan.homework_minutes,
    content: plan.content || [],
    feeText: feeText(plan),
    waiverRules: plan.waiver_rules || '',
    safetyMeasures: plan.safety_measures || '',
    capacityText: plan.capacity ? `${plan.capacity} 人（名额有限时优先保障群体优先）` : '不限',
    agreementTitle: plan.agreement_title,
    agreementText: plan.agreement_text,
  };
}

/**
 * Which school's current term to show when no term_id is given: the child's (student_id), else the
 * school the account administers or works at (the 服务方案 entry of the admin workbench), else the
 * first child's.
 */
function schoolIdFor(profile, studentId) {
  const children = profile.children || [];
  const child = studentId ? children.find((c) => String(c.id) === String(studentId)) : null;
  if (child) return child.school_id;
  const schools = profile.schools || [];
  const staffSchool = schools.find((s) => (s.roles || []).indexOf('admin') >= 0)
    || schools.find((s) => (s.roles || []).some((role) => role !== 'district'));
  if (staffSchool) return staffSchool.id;
  return children.length ? children[0].school_id : null;
}

Page({
  data: {
    ...NOT_LOADED,
    termName: '',
    plan: null,
    studentId: '',
  },

  onLoad(query = {}) {
    this.query = query;
    this.setData({ studentId: query.student_id || '' });
    return this.load();
  },

  // a pull-down keeps the plan on screen while it reloads (and if the reload fails)
  onPullDownRefresh: RELOADING.onPullDownRefresh,

  onRetry: RELOADING.onRetry,

  resolveTerm() {
    const { term_id: termId, student_id: studentId } = this.query || {};
    if (termId) return terms.getTerm(termId, { toast: false });
    return me({ toast: false }).then((profile) => {
      const schoolId = schoolIdFor(profile, studentId);
      if (!schoolId) {
        const err = new Error('还没有绑定孩子，暂无可查看的服务方案');
        err.code = 'NO_SCHOOL';
        throw err;
      }
      return terms.currentTerm(schoolId, { toast: false });
    });
  },

  load() {
    return loadPage(this, (isLatest) => this.resolveTerm()
      .then((term) => enrollment.getPlan(term.id, { toast: false }).then((plan) => {
        if (!isLatest()) return;
        this.setData({ loading: false, loaded: true, errorMessage: '', termName: term.name, plan: planView(plan) });
      })));
  },

  goApplication() {
    wx.navigateTo({ url: `/pages/application/index?student_id=${this.data.studentId}` });
  },
});
