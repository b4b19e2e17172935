/**
 * 值班 (docs/duty.md), over services/request.js: the roster (值班表), "am I on duty today" with each session's due
 * patrols, patrol records (巡查), and the day's report (值班日志 / 当日报告) with its signature and corrections.
 * The backend is app/duty/.
 *
 * Every mutation is idempotent (`idempotent: true`): one Idempotency-Key for the call and every retry, so a patrol
 * saved on a weak signal in the corridor is recorded once; a page may keep the key across taps (`idempotencyKey`).
 * Staff routes that act on one school take `school_id` in the query (needed only by someone working at two schools).
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 *
 * Also the wording the duty pages share: the order a patrol saw, a person on duty, a session's patrol line.
 */
const { request } = require('./request');
const { addDays, timeRange } = require('./attendance');
const { shanghaiToday } = require('../utils/format');

// PatrolIn.order (app/duty/schemas.py), as the three big buttons of the patrol form.
const ORDERS = [
  { key: 'good', label: '良好' },
  { key: 'fair', label: '一般' },
  { key: 'poor', label: '较差' },
];
// Who may use each page (the routes' roles, app/duty/router.py).
const DUTY_ROLES = ['duty_leader', 'admin', 'teacher', 'class_head', 'guard'];
const REPORT_ROLES = ['duty_leader', 'admin'];
// A day's leader must hold one of these (set_day, swap).
const LEADER_ROLES = ['duty_leader', 'admin'];
// The roster the admin sees: two weeks from today, as GET /duty/roster gives by default.
const ROSTER_DAYS = 14;

/** '?school_id=3' for a staff route when a school is given, else ''. */
function schoolQuery(schoolId) {
  return schoolId ? `?school_id=${encodeURIComponent(String(schoolId))}` : '';
}

function withSchool(data, schoolId) {
  const out = { ...data };
  if (schoolId) out.school_id = schoolId;
  return Object.keys(out).length ? out : undefined;
}

// ---------- requests ----------

/**
 * GET /duty/today → {date, served, on_duty, role, role_label, leader, patrols, expected: [text],
 * sessions: [{session_id, name, room, starts_at, ends_at, teachers, expected_count, present_count, patrols_expected,
 * patrols_due_now, patrols_done, next_due_at}]}.
 */
function today({ schoolId } = {}, options = {}) {
  return request({ url: '/duty/today', data: withSchool({}, schoolId), ...options });
}

/** GET /duty/roster?from=&to= → [{date, weekday, leader: DutyPerson | null, patrols: [DutyPerson]}] (days on it only). */
function roster({ from, to, schoolId } = {}, options = {}) {
  const data = {};
  if (from) data.from = from;
  if (to) data.to = to;
  return request({ url: '/duty/roster', data: withSchool(data, schoolId), ...options });
}

/** PUT /duty/roster {date, leader_staff_id, patrol_staff_ids} (admin) → the day; NOT_A_SERVICE_DAY, NOT_A_DUTY_LEADER. */
function setDay({ date, leaderStaffId, patrolStaffIds }, { schoolId } = {}, options = {}) {
  return request({
    url: `/duty/roster${schoolQuery(schoolId)}`,
    method: 'PUT',
    data: { date, leader_staff_id: leaderStaffId, patrol_staff_ids: patrolStaffIds || [] },
    idempotent: true,
    ...options,
  });
}

/** POST /duty/roster/swap {date, from_staff_id, to_staff_id, reason} → the day; ALREADY_ON_DUTY (409), NOT_A_DUTY_LEADER. */
function swap({ date, fromStaffId, toStaffId, reason }, { schoolId } = {}, options = {}) {
  return request({
    url: `/duty/roster/swap${schoolQuery(schoolId)}`,
    method: 'POST',
    data: { date, from_staff_id: fromStaffId, to_staff_id: toStaffId, reason },
    idempotent: true,
    ...options,
  });
}

/**
 * POST /duty/terms/{id}/roster/generate {from?, to?, overwrite} (admin) → the days it covers. Round-robin over the
 * duty leaders across the served days; days already on the roster keep their leader unless `overwrite`.
 * PLAN_NOT_PUBLISHED, NO_DUTY_LEADERS.
 */
function generate(termId, { from, to, overwrite = false } = {}, options = {}) {
  const data = { overwrite: Boolean(overwrite) };
  if (from) data.from = from;
  if (to) data.to = to;
  return request({ url: `/duty/terms/${termId}/roster/generate`, method: 'POST', data, idempotent: true, ...options });
}

/**
 * POST /duty/patrols {session_id, teacher_present, headcount_seen, order, note?} → PatrolOut with
 * `headcount_differs` (what was seen is not the roll call's present count). 403 when not on duty today.
 */
function recordPatrol({ sessionId, teacherPresent, headcountSeen, order, note }, options = {}) {
  const data = { session_id: sessionId, teacher_present: teacherPresent, headcount_seen: headcountSeen, order };
  if (note) data.note = note;
  return request({ url: '/duty/patrols', method: 'POST', data, idempotent: true, ...options });
}

/** GET /duty/reports/{date} (duty leader, admin) → DailyReportOut: live until signed, then the signed record + corrections. */
function report(date, { schoolId } = {}, options = {}) {
  return request({ url: `/duty/reports/${date}`, data: withSchool({}, schoolId), ...options });
}

/** POST /duty/reports/{date}/sign → the signed report (signing again changes nothing). */
function signReport(date, { schoolId } = {}, options = {}) {
  return request({ url: `/duty/reports/${date}/sign${schoolQuery(schoolId)}`, method: 'POST', idempotent: true, ...options });
}

/** POST /duty/reports/{date}/corrections {text} → the report with the correction appended; REPORT_NOT_SIGNED (409). */
function correctReport(date, text, { schoolId } = {}, options = {}) {
  return request({
    url: `/duty/reports/${date}/corrections${schoolQuery(schoolId)}`,
    method: 'POST',
    data: { text },
    idempotent: true,
    ...options,
  });
}

// ---------- wording ----------

/** A person on duty: '王主任', or after a swap '王主任（原 李主任：出差）'. */
function personText(person) {
  if (!person) return '';
  if (!person.swapped_from) return person.name;
  return `${person.name}（原 ${person.swapped_from}${person.swap_reason ? `：${person.swap_reason}` : ''}）`;
}

/** The patrol staff of a day: '张老师、李老师', '' when none. */
function patrolsText(patrols) {
  return (patrols || []).map(personText).join('、');
}

/**
 * A session of GET /duty/today as the duty leader's list shows it: patrols due now first (those are the ones to go
 * to), then by when the next one is due; a session with all its patrols done last.
 */
function sessionView(s) {
  const finished = s.patrols_done >= s.patrols_expected;
  let next = '';
  if (s.patrols_due_now > 0) next = `现在应巡查 ${s.patrols_due_now} 次`;
  else if (s.next_due_at) next = `下次巡查 ${s.next_due_at}`;
  else if (finished) next = '巡查已完成';
  return {
    id: s.session_id,
    name: s.name,
    where: [s.room, timeRange(s.starts_at, s.ends_at)].filter(Boolean).join(' · '),
    teachersText: (s.teachers || []).join('、') || '未安排老师',
    present: s.present_count,
    expected: s.expected_count,
    done: s.patrols_done,
    planned: s.patrols_expected,
    due: s.patrols_due_now,
    next,
    finished,
    nextDueAt: s.next_due_at || '',
  };
}

function sessionRank(view) {
  if (view.due > 0) return 0;
  if (view.nextDueAt) return 1;
  return view.finished ? 3 : 2;
}

/** Sessions to patrol, in the order to walk them: due now first (the most due first), then the next due. */
function patrolOrder(sessions) {
  return (sessions || []).map(sessionView).sort((a, b) => sessionRank(a) - sessionRank(b)
    || b.due - a.due
    || (a.nextDueAt < b.nextDueAt ? -1 : (a.nextDueAt > b.nextDueAt ? 1 : 0)));
}

/** What a saved patrol says when what was seen is not the roll call: '看到 31 人，点名已到 30 人，请核实'. */
function headcountWarning(patrol) {
  if (!patrol || !patrol.headcount_differs) return '';
  return `看到 ${patrol.headcount_seen} 人，点名已到 ${patrol.roster_present} 人，人数不一致，请与老师核实`;
}

/** A patrol as the report lists it. */
function patrolView(p) {
  return {
    id: p.id,
    time: p.time,
    session: p.session_name,
    by: p.by,
    teacherText: p.teacher_present ? '教师在岗' : '教师不在岗',
    teacherPresent: p.teacher_present,
    headcount: `看到 ${p.headcount_seen} 人 / 点名 ${p.roster_present} 人`,
    differs: p.headcount_differs,
    order: p.order,
    orderLabel: p.order_label,
    note: p.note || '',
  };
}

/** The dates of the admin's roster: today and the next `days - 1` days, as GET /duty/roster's default. */
function rosterRange(from = shanghaiToday(), days = ROSTER_DAYS) {
  return { from, to: addDays(from, days - 1) };
}

/** Whether a staff member (StaffOut) may lead a day. */
function canLead(staff) {
  return (staff.roles || []).some((r) => LEADER_ROLES.indexOf(r) >= 0);
}

module.exports = {
  ORDERS,
  DUTY_ROLES,
  REPORT_ROLES,
  LEADER_ROLES,
  ROSTER_DAYS,
  today,
  roster,
  setDay,
  swap,
  generate,
  recordPatrol,
  report,
  signReport,
  correctReport,
  personText,
  patrolsText,
  sessionView,
  patrolOrder,
  headcountWarning,
  patrolView,
  rosterRange,
  canLead,
};
