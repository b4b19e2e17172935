/**
 * A service day as the teachers and guardians see it (托管), over services/request.js: the day's sessions
 * (场次), a session's roster and roll call (点名), the class head's handover (放学交接) and a child's day
 * (今天在哪). The backend is app/attendance/ (docs/attendance.md).
 *
 * Roll call and handover are idempotent (`idempotent: true`): one Idempotency-Key for the call and every
 * retry of it, so a mark or a handover resent after the signal dropped at the gate is written once. A mark
 * of `unmarked` takes a mark back (撤销): that is how undo restores a child who had no mark.
 *
 * Also the wording the pages share: mark labels, a roster row's flags (请假 / 待批请假 / 提前接走 / 在社团 /
 * 交接时未到 / 已提醒缺席), school dates one day on or back, a date as 11月24日 周二, why a day has no service.
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 */
const { request } = require('./request');
const { coverSrc } = require('./clubs');
const { WEEKDAY_NAMES, formatTime } = require('../utils/format');

// The statuses a teacher may give (MarkStatus in app/attendance/schemas.py), in the order the action sheet
// offers them; UNMARKED takes the mark back.
const MARKS = [
  { status: 'present', label: '已到' },
  { status: 'late', label: '迟到' },
  { status: 'absent', label: '缺席' },
  { status: 'leave', label: '请假' },
];
const UNMARKED = 'unmarked';
const MARK_LABELS = { present: '已到', late: '迟到', absent: '缺席', leave: '请假' };
// Marks that say the child is here (AttendanceStatus.ARRIVED).
const ARRIVED = ['present', 'late'];

// ---------- requests ----------

/** GET /sessions?date= → {date, sessions: [SessionOut], days: [the calendar's word per school]}. */
function listSessions(date, options = {}) {
  return request({ url: '/sessions', data: date ? { date } : undefined, ...options });
}

/** GET /sessions/{id}/roster → {session: SessionOut, rows: [RosterRow]} (expected first, then by class). */
function roster(sessionId, options = {}) {
  return request({ url: `/sessions/${sessionId}/roster`, ...options });
}

/**
 * PUT /sessions/{id}/attendance [{student_id, status}] → the roster as it now stands. All or nothing: one refused
 * child (CHILD_EXPECTED_ELSEWHERE, CHILD_NOT_IN_CARE…) refuses the batch (409, the server's message names them).
 */
function mark(sessionId, marks, options = {}) {
  return request({ url: `/sessions/${sessionId}/attendance`, method: 'PUT', data: marks, idempotent: true, ...options });
}

/** GET /classes/{id}/handover?date= → {class_id, class_name, day, rows: [HandoverRow], handover: saved | null}. */
function handover(classId, date, options = {}) {
  return request({ url: `/classes/${classId}/handover`, data: date ? { date } : undefined, ...options });
}

/** POST /classes/{id}/handover {date, present_ids, notes} → the handover view; confirming again replaces it. */
function confirmHandover(classId, { date, presentIds, notes }, options = {}) {
  return request({
    url: `/classes/${classId}/handover`,
    method: 'POST',
    data: { date, present_ids: presentIds, notes: notes || null },
    idempotent: true,
    ...options,
  });
}

/** GET /students/{id}/day?date= → {student_name, day, place, attendance, leave, handover, absence_alert}. */
function childDay(studentId, date, options = {}) {
  return request({ url: `/students/${studentId}/day`, data: date ? { date } : undefined, ...options });
}

/** The classes `staffId` heads at a school: GET /schools/{id}/classes, filtered (the server has no "my classes"). */
function headedClasses(schoolId, staffId, options = {}) {
  if (!staffId) return Promise.resolve([]);
  return request({ url: `/schools/${schoolId}/classes`, ...options })
    .then((classes) => (classes || []).filter((c) => c.head_staff_id === staffId));
}

// ---------- wording ----------

/** A child's photo for <image>: the server's signed link with the API's origin in front (like club covers); '' when none. */
function photoSrc(url) {
  return coverSrc(url);
}

/** What the placeholder shows when there is no photo: the first character of the name (the family name). */
function initial(name) {
  return String(name || '').charAt(0) || '？';
}

function isArrived(status) {
  return ARRIVED.indexOf(status) >= 0;
}

/** An API datetime as school time HH:MM ('' when none). */
function clock(iso) {
  const text = formatTime(iso);
  return text ? text.slice(-5) : '';
}

/** A leave as a flag: 提前接走 16:30, 待批请假（病假）, 请假（病假）. */
function leaveFlag(leave) {
  if (!leave) return null;
  if (leave.kind === 'early_pickup') {
    return { key: 'early', text: `提前接走 ${leave.early_pickup_time || ''}`.trim() + (leave.pending ? '（待批）' : ''), tone: 'warn' };
  }
  if (leave.pending) return { key: 'pending', text: `待批请假（${leave.kind_label}）`, tone: 'warn' };
  return { key: 'leave', text: `请假（${leave.kind_label}）`, tone: 'muted' };
}

/** Whether a leave keeps the child away (an early pickup does not: the child comes and leaves early). */
function keepsAway(leave) {
  return Boolean(leave) && leave.kind !== 'early_pickup';
}

/**
 * The flags a roster row shows: its leave, 在社团：X (a care-group child at a club today), 应在：X (belongs
 * elsewhere), 交接时未到 and 已提醒缺席 (only while the child has not arrived).
 */
function rosterFlags(row, status = row.status) {
  const flags = [];
  const leave = leaveFlag(row.leave);
  if (leave) flags.push(leave);
  if (row.club) flags.push({ key: 'club', text: `在社团：${row.club}`, tone: 'info' });
  else if (!row.expected && !row.leave && row.place) flags.push({ key: 'elsewhere', text: `应在：${row.place}`, tone: 'info' });
  if (!isArrived(status)) {
    if (row.handover_missing) flags.push({ key: 'handover', text: '交接时未到', tone: 'danger' });
    if (row.absence_alert) flags.push({ key: 'alert', text: '已提醒缺席', tone: 'danger' });
  }
  return flags;
}

/** What a mark chip says: 已到 16:05, 迟到 16:20, 缺席, 请假; 未点名 when there is none. */
function markText(status, arrivedAt) {
  if (!status) return '未点名';
  const at = isArrived(status) ? clock(arrivedAt) : '';
  return at ? `${MARK_LABELS[status]} ${at}` : (MARK_LABELS[status] || status);
}

// ---------- school dates ----------

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** '2026-11-30' moved by `n` days: ('2026-11-30', 1) → '2026-12-01'. */
function addDays(date, n) {
  const [y, m, d] = String(date).split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** '2026-11-24' → '11月24日 周二'. */
function dayTitle(date) {
  const [y, m, d] = String(date).split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
  return `${m}月${d}日 ${WEEKDAY_NAMES[weekday]}`;
}

/** Why a day (DayOut) has no service: the holiday's name or the school's reason (国庆节, 运动会), else its kind. */
function noServiceReason(day) {
  if (!day) return '';
  return day.note || day.kind_label || '';
}

/** '15:40', '16:50' → '15:40–16:50'. */
function timeRange(start, end) {
  return start && end ? `${start}–${end}` : (start || '');
}

module.exports = {
  MARKS,
  MARK_LABELS,
  UNMARKED,
  listSessions,
  roster,
  mark,
  handover,
  confirmHandover,
  childDay,
  headedClasses,
  photoSrc,
  initial,
  isArrived,
  clock,
  leaveFlag,
  keepsAway,
  rosterFlags,
  markText,
  addDays,
  dayTitle,
  noServiceReason,
  timeRange,
};
