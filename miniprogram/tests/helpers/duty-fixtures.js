/**
 * The duty server's answers (app/duty, app/carelogs, app/incidents schemas) for the duty pages' tests: a fixed "now"
 * (Tuesday 2026-11-24 16:30 in Shanghai), who is asking, today's duty and sessions, patrols, the day's report, care
 * logs, incidents, the roster and the staff list.
 */
const { session, row } = require('./attendance-fixtures');

const NOW = Date.UTC(2026, 10, 24, 8, 30, 0); // 2026-11-24 16:30 in Shanghai, a Tuesday
const TODAY = '2026-11-24';

const DUTY_ME = {
  account_id: 9, name: '赵主任', roles: ['duty_leader'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['duty_leader'], staff_id: 5 }],
};
const TEACHER_ME = {
  account_id: 8, name: '王老师', roles: ['teacher'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 4 }],
};
const ADMIN_ME = {
  account_id: 2, name: '钱主任', roles: ['admin'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['admin'], staff_id: 2 }],
};
const GUARD_ME = {
  account_id: 10, name: '刘师傅', roles: ['guard'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['guard'], staff_id: 6 }],
};

/** DutyPerson. */
function person(staffId, name, overrides = {}) {
  return {
    staff_id: staffId, name, role: 'leader', role_label: '值班领导', swapped_from: null, swap_reason: null, ...overrides,
  };
}

/** SessionPatrolsOut. */
function sessionPatrols(id, name, overrides = {}) {
  return {
    session_id: id, name, room: `${name}教室`, starts_at: '15:40', ends_at: '17:00', teachers: ['王老师'],
    expected_count: 30, present_count: 28, patrols_expected: 4, patrols_due_now: 0, patrols_done: 0,
    next_due_at: '16:40', ...overrides,
  };
}

/** DutyTodayOut: 赵主任 leads, 孙老师 patrols; three sessions, 二年级1班 with two patrols due now. */
function dutyToday(overrides = {}) {
  return {
    date: TODAY,
    served: true,
    on_duty: true,
    role: 'leader',
    role_label: '值班领导',
    leader: person(5, '赵主任'),
    patrols: [person(7, '孙老师', { role: 'patrol', role_label: '巡查' })],
    expected: ['每节课巡查各场次两次，记录教师在岗、人数和秩序', '处理突发情况并通知家长', '放学后查看接送看板，全部接走后清校'],
    sessions: [
      sessionPatrols(11, '一年级1班', { patrols_done: 1, patrols_due_now: 0, next_due_at: '16:40' }),
      sessionPatrols(12, '二年级1班', { patrols_done: 0, patrols_due_now: 2, next_due_at: '16:40', present_count: 31 }),
      sessionPatrols(13, '书法', { patrols_expected: 2, patrols_done: 2, next_due_at: null, teachers: [] }),
    ],
    ...overrides,
  };
}

/** PatrolOut. */
function patrolOut(overrides = {}) {
  return {
    id: 40, session_id: 12, session_name: '二年级1班', at: `${TODAY}T08:31:00Z`, time: '16:31', by: '赵主任',
    teacher_present: true, headcount_seen: 31, roster_present: 31, headcount_differs: false, order: 'good',
    order_label: '良好', note: null, ...overrides,
  };
}

/** DailyReportOut, not signed. */
function reportOut(overrides = {}) {
  return {
    date: TODAY,
    school_name: '示范小学',
    served: true,
    leader: '赵主任',
    sessions: [
      {
        session_id: 11, name: '一年级1班', kind_label: '看护班', starts_at: '15:40', ends_at: '17:00', teachers: ['王老师'],
        expected: 30, present: 28, leave: 1, absent: 2, patrols_expected: 4, patrols_done: 1,
      },
      {
        session_id: 13, name: '书法', kind_label: '社团', starts_at: '15:40', ends_at: '16:40', teachers: ['李老师'],
        expected: 12, present: 12, leave: 0, absent: 0, patrols_expected: 2, patrols_done: 2,
      },
    ],
    totals: { expected: 42, present: 40, leave: 1, absent: 2, patrols_expected: 6, patrols_done: 3 },
    patrols: [
      patrolOut({ id: 41, session_id: 11, session_name: '一年级1班', time: '16:00', headcount_seen: 27, roster_present: 28, headcount_differs: true, order: 'fair', order_label: '一般', note: '两人在走廊' }),
      patrolOut({ id: 42, session_id: 13, session_name: '书法', time: '16:05', teacher_present: false, order: 'poor', order_label: '较差' }),
    ],
    patrols_missing: 3,
    incidents: [
      { id: 70, time: '16:10', type_label: '受伤', severity_label: '轻微', place: '操场', children: ['张小明'], status: 'open', resolution: null },
    ],
    pickups: {
      released: 35, by_method: { 扫码: 30, 人工核对: 2, 自行回家: 3 }, manual: 2, late: 1, with_guard: 1,
      latest_release: '17:48', cleared_at: null, cleared_by: null,
    },
    signed: false,
    signed_by: null,
    signed_at: null,
    corrections: [],
    ...overrides,
  };
}

/** The same report signed by 赵主任 at 18:30, with `corrections`. */
function signedReport(corrections = [], overrides = {}) {
  return reportOut({
    signed: true, signed_by: '赵主任', signed_at: `${TODAY}T10:30:00Z`, corrections,
    pickups: { ...reportOut().pickups, cleared_at: '18:05', cleared_by: '赵主任' }, ...overrides,
  });
}

/** CareLogOut. */
function careVersion(version, overrides = {}) {
  return {
    session_id: 1, version, activities: ['homework', 'reading'], activity_labels: ['作业辅导', '阅读'],
    summary: `完成数学作业，读绘本（第 ${version} 版）`, child_notes: [], unusual: null, written_by: '李老师',
    written_at: `${TODAY}T08:${String(10 + version).padStart(2, '0')}:00Z`, ...overrides,
  };
}

/** CareLogHistory from its versions, earliest first. */
function careHistory(versions = []) {
  return { current: versions.length ? versions[versions.length - 1] : null, versions };
}

/** RosterOut of session 1 (李老师's): 曹一, 张二, 廖三 here, 吴六 at a club. */
function sessionRoster(sessionOverrides = {}) {
  return {
    session: session({ date: TODAY, teachers: [{ staff_id: 25, name: '李老师' }], ...sessionOverrides }),
    rows: [
      row(1, '曹一'),
      row(2, '张二'),
      row(3, '廖三'),
      row(6, '吴六', { expected: false, place: '舞蹈', club: '舞蹈' }),
    ],
  };
}

/** IncidentOut, open, as first reported. */
function incidentOut(overrides = {}) {
  const base = {
    id: 70, day: TODAY, type: 'injury', type_label: '受伤', severity: 'low', severity_label: '轻微',
    at: `${TODAY}T08:10:00Z`, place: '操场', children: [{ student_id: 7, name: '张小明', class_name: '三年级2班' }],
    description: '跑步时摔倒，膝盖擦伤', actions_taken: '校医已处理，已电话告知家长', reported_by: '王老师',
    reported_at: `${TODAY}T08:12:00Z`, status: 'open', resolution: null, entries: [],
    original: { severity: 'low', place: '操场', description: '跑步时摔倒，膝盖擦伤', actions_taken: '校医已处理，已电话告知家长' },
  };
  return { ...base, ...overrides };
}

/** EntryOut. */
function entry(id, kind, text, overrides = {}) {
  return {
    id, kind, text, changes: {}, written_by: '赵主任', written_at: `${TODAY}T09:0${id % 10}:00Z`, ...overrides,
  };
}

/** RosterDayOut. */
function rosterDay(date, leader, patrols = []) {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return { date, weekday, leader, patrols };
}

/** StaffOut (GET /schools/{id}/staff). */
function staff(id, name, roles, overrides = {}) {
  return {
    id, school_id: 1, name, phone: null, roles, is_active: true, username: null, wechat_bound: true, ...overrides,
  };
}

const STAFF = [
  staff(2, '钱主任', ['admin']),
  staff(4, '王老师', ['teacher']),
  staff(5, '赵主任', ['duty_leader', 'teacher']),
  staff(6, '刘师傅', ['guard']),
  staff(7, '孙老师', ['teacher']),
  staff(8, '周主任', ['duty_leader']),
  staff(9, '吴老师', ['teacher'], { is_active: false }),
];

const TERM = { id: 3, school_id: 1, name: '2026-2027学年第一学期', starts_on: '2026-09-01', ends_on: '2027-01-20', is_current: true };

/** A term calendar's DayOut. */
function calendarDay(date, served = true) {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return {
    date, weekday, kind: served ? 'school_day' : 'weekend', kind_label: served ? '上课日' : '周末', served, note: null,
    runs_as_weekday: null, change_id: null, timetable: null,
  };
}

module.exports = {
  NOW,
  TODAY,
  DUTY_ME,
  TEACHER_ME,
  ADMIN_ME,
  GUARD_ME,
  STAFF,
  TERM,
  person,
  sessionPatrols,
  dutyToday,
  patrolOut,
  reportOut,
  signedReport,
  careVersion,
  careHistory,
  sessionRoster,
  incidentOut,
  entry,
  rosterDay,
  staff,
  calendarDay,
};
