/**
 * 请假 (leave), over services/request.js: a guardian asks for a child (病假 / 事假 / 提前接走) on one or more
 * of the child's upcoming service days, and may take it back (撤销); the class head approves (批准) or notes
 * (知悉) it. Asking, deciding and cancelling are idempotent (one Idempotency-Key for the call and its retries),
 * so a retried submit never asks twice. Every function takes request options last.
 *
 * Also what the pages need to show it: the kinds and statuses in Chinese, a request as a list shows it,
 * the days a child can be on leave (served, theirs, from today on), and the form checked as the server
 * checks LeaveIn (app/leave/schemas.py).
 */
const { request } = require('./request');
const { WEEKDAY_NAMES, formatRecent } = require('../utils/format');

const KINDS = [
  { key: 'sick', label: '病假' },
  { key: 'personal', label: '事假' },
  { key: 'early_pickup', label: '提前接走' },
];
const KIND_LABELS = { sick: '病假', personal: '事假', early_pickup: '提前接走' };
const STATUS_LABELS = { submitted: '待班主任处理', approved: '已批准', noted: '班主任已知悉', cancelled: '已撤销' };
// The class head's filter (GET /classes/{id}/leave-requests?status=); '' is every status.
const STATUS_FILTERS = [
  { key: 'submitted', label: '待处理' },
  { key: 'approved', label: '已批准' },
  { key: 'noted', label: '已知悉' },
  { key: 'cancelled', label: '已撤销' },
  { key: '', label: '全部' },
];
const MAX_DAYS = 20; // LeaveIn.dates
const REASON_MAX = 200; // LeaveIn.reason
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
// Refusals about the dates (the server names the date and why in its message).
const DATE_CODES = ['LEAVE_DATE_PAST', 'LEAVE_DATE_INVALID', 'LEAVE_OVERLAP', 'LEAVE_DATES_SPAN_TERMS'];

// ---------- wording ----------

/** '2026-11-25' → its weekday, 1 = Monday … 7 = Sunday. */
function weekdayOf(date) {
  const [y, m, d] = String(date).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** '2026-11-25' → '11月25日'. */
function monthDay(date) {
  const [, m, d] = String(date).split('-').map(Number);
  return `${m}月${d}日`;
}

/** '2026-11-25' → '11月25日 周三'. */
function dayLabel(date) {
  return `${monthDay(date)} ${WEEKDAY_NAMES[weekdayOf(date)]}`;
}

/** A request's dates: '11月25日 周三', '11月25日 周三、11月26日 周四', or '11月25日 周三 至 11月27日 周五（3天）'. */
function datesText(dates) {
  const list = (dates || []).slice().sort();
  if (list.length <= 2) return list.map(dayLabel).join('、');
  return `${dayLabel(list[0])} 至 ${dayLabel(list[list.length - 1])}（${list.length}天）`;
}

function kindLabel(kind) {
  return KIND_LABELS[kind] || kind;
}

function statusLabel(status) {
  return STATUS_LABELS[status] || status;
}

/** A request (LeaveOut) as the lists show it. */
function leaveView(leave, now = Date.now()) {
  const decided = leave.decided_at && leave.status !== 'submitted'
    ? [leave.decided_by_name, formatRecent(leave.decided_at, now)].filter(Boolean).join(' ')
    : '';
  const pickup = leave.kind === 'early_pickup' && leave.early_pickup_time ? `${leave.early_pickup_time} 接走` : '';
  return {
    id: leave.id,
    studentId: leave.student_id,
    studentName: leave.student_name,
    className: leave.class_name,
    kind: leave.kind,
    kindLabel: leave.kind_label || kindLabel(leave.kind),
    // 提前接走 · 16:30 接走
    kindText: [leave.kind_label || kindLabel(leave.kind), pickup].filter(Boolean).join(' · '),
    status: leave.status,
    statusLabel: leave.status_label || statusLabel(leave.status),
    dates: (leave.dates || []).slice(),
    datesText: datesText(leave.dates),
    reason: leave.reason || '',
    pickupText: pickup,
    urgent: Boolean(leave.urgent),
    requestedAt: formatRecent(leave.requested_at, now),
    decidedText: decided,
    // 提交于 今天 09:00 · 张老师 今天 09:40
    metaText: [`提交于 ${formatRecent(leave.requested_at, now)}`, decided].filter(Boolean).join(' · '),
    comment: leave.comment || '',
    cancellable: Boolean(leave.cancellable),
    pending: leave.status === 'submitted',
  };
}

/**
 * The class head's order: urgent requests still waiting first, then the others waiting, then the rest,
 * each part newest first as the server sends them.
 */
function reviewOrder(leaves) {
  const rank = (l) => {
    if (l.status !== 'submitted') return 2;
    return l.urgent ? 0 : 1;
  };
  return leaves.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i).map((x) => x.l);
}

// ---------- the child's days ----------

/**
 * The days a child can be on leave, from the term's calendar (DayOut): served, from `today` on, one of the
 * weekdays on the child's approved application (the weekday a day runs as), before a withdrawal (`leavesOn`).
 * Each: {date, label, taken (already covered by a live request), timetable}.
 */
function leaveDays(calendarDays, { weekdays, today, leavesOn, taken = [] }) {
  return (calendarDays || [])
    .filter((d) => d.served && d.date >= today
      && (!weekdays || weekdays.indexOf(d.runs_as_weekday || weekdayOf(d.date)) >= 0)
      && (!leavesOn || d.date < leavesOn))
    .map((d) => ({
      date: d.date,
      label: dayLabel(d.date),
      isToday: d.date === today,
      taken: taken.indexOf(d.date) >= 0,
      timetable: d.timetable || null,
    }));
}

/** The dates already covered by a live (not cancelled) request. */
function takenDates(leaves) {
  const out = [];
  (leaves || []).forEach((l) => {
    if (l.status === 'cancelled') return;
    (l.dates || []).forEach((d) => { if (out.indexOf(d) < 0) out.push(d); });
  });
  return out;
}

/** The earliest and latest time an early pickup can be on a day: its start, and its latest end. */
function pickupWindow(timetable) {
  if (!timetable) return { start: '', end: '' };
  const ends = Object.keys(timetable.end_times || {}).map((k) => timetable.end_times[k]).filter(Boolean).sort();
  return { start: timetable.starts_at || '', end: ends[ends.length - 1] || '' };
}

// ---------- the form ----------

/**
 * The form {kind, dates, reason, earlyPickupTime} for a child → {payload} (LeaveIn) or {errors} keyed
 * kind / dates / early_pickup_time / reason, checked as the server checks.
 */
function checkLeave(form, studentId) {
  const errors = {};
  const kind = form.kind;
  if (!KIND_LABELS[kind]) errors.kind = '请选择请假类型';
  const dates = Array.from(new Set(form.dates || [])).sort();
  if (!dates.length) errors.dates = '请选择请假日期';
  else if (dates.length > MAX_DAYS) errors.dates = `一次最多请 ${MAX_DAYS} 天`;
  else if (kind === 'early_pickup' && dates.length !== 1) errors.dates = '提前接走一次只能选一天';
  const time = String(form.earlyPickupTime || '');
  if (kind === 'early_pickup' && !TIME_RE.test(time)) errors.early_pickup_time = '请选择接走时间';
  const reason = String(form.reason || '').trim();
  if (!reason) errors.reason = kind === 'early_pickup' ? '请填写提前接走的原因' : '请填写请假原因';
  else if (reason.length > REASON_MAX) errors.reason = `原因最多 ${REASON_MAX} 字`;
  if (Object.keys(errors).length) return { errors };
  const payload = { student_id: studentId, kind, dates, reason };
  if (kind === 'early_pickup') payload.early_pickup_time = time;
  return { payload };
}

/** A refused request → {field: message} for the form (field '' when it belongs to none). */
function refusalErrors(err) {
  const fields = (err && err.fields) || {};
  if (DATE_CODES.indexOf(err.code) >= 0) return { dates: err.message };
  if (err.code === 'EARLY_PICKUP_TIME_INVALID') return { early_pickup_time: fields.early_pickup_time || err.message };
  if (fields.reason) return { reason: fields.reason };
  if (fields.dates) return { dates: fields.dates };
  return { '': err.message };
}

// ---------- the API ----------

/**
 * GET /terms/{id}/calendar?from=&to= → {term_id, weekdays, service_day_count, days: [DayOut], warnings}:
 * each day's `served`, `runs_as_weekday` and `timetable` (starts_at, end_times per grade band).
 */
function termDays(termId, { from, to } = {}, options = {}) {
  const data = {};
  if (from) data.from = from;
  if (to) data.to = to;
  return request({ url: `/terms/${termId}/calendar`, data, ...options });
}

/**
 * POST /leave-requests (LeaveIn) → LeaveOut: {id, status, urgent (today, after the school's cut-off: the
 * teachers were told at once), …}. Refusals: LEAVE_DATE_PAST, LEAVE_DATE_INVALID (not a service day, not the
 * child's day), LEAVE_OVERLAP (409), EARLY_PICKUP_TIME_INVALID, NOT_IN_CARE, PLAN_NOT_PUBLISHED.
 */
function requestLeave(payload, options = {}) {
  return request({ url: '/leave-requests', method: 'POST', data: payload, idempotent: true, ...options });
}

/**
 * The classes one heads at a school (GET /me's school: {id, staff_id}): GET /schools/{id}/classes →
 * [ClassOut {id, name, grade, head_staff_id, …}] kept where head_staff_id is mine.
 */
function headedClasses(school, options = {}) {
  return request({ url: `/schools/${school.id}/classes`, ...options })
    .then((classes) => (classes || []).filter((c) => c.head_staff_id && c.head_staff_id === school.staff_id));
}

/** GET /students/{id}/leave-requests → [LeaveOut], newest first. */
function childLeaves(studentId, options = {}) {
  return request({ url: `/students/${studentId}/leave-requests`, ...options });
}

/** GET /classes/{id}/leave-requests?status=&date= → [LeaveOut], newest first (the class head; admins). */
function classLeaves(classId, { status, date } = {}, options = {}) {
  const data = {};
  if (status) data.status = status;
  if (date) data.date = date;
  return request({ url: `/classes/${classId}/leave-requests`, data, ...options });
}

/** POST /leave-requests/{id}/decision {decision: approve | note, comment?} → LeaveOut. LEAVE_DECIDED / LEAVE_CANCELLED (409). */
function decide(leaveId, { decision, comment }, options = {}) {
  const data = { decision };
  const text = String(comment || '').trim();
  if (text) data.comment = text;
  return request({ url: `/leave-requests/${leaveId}/decision`, method: 'POST', data, idempotent: true, ...options });
}

/** POST /leave-requests/{id}/cancel → the cancelled request (days already past stay on the original). LEAVE_PAST (409). */
function cancelLeave(leaveId, options = {}) {
  return request({ url: `/leave-requests/${leaveId}/cancel`, method: 'POST', idempotent: true, ...options });
}

module.exports = {
  KINDS,
  STATUS_FILTERS,
  MAX_DAYS,
  REASON_MAX,
  weekdayOf,
  dayLabel,
  datesText,
  kindLabel,
  statusLabel,
  leaveView,
  reviewOrder,
  leaveDays,
  takenDates,
  pickupWindow,
  checkLeave,
  refusalErrors,
  termDays,
  requestLeave,
  headedClasses,
  childLeaves,
  classLeaves,
  decide,
  cancelLeave,
};
