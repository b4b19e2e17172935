/**
 * Server answers shared by the 托管 page tests (shapes as app/attendance/schemas.py), and a fake roll call that
 * applies PUT /sessions/{id}/attendance as the backend does: all or nothing, a child who belongs elsewhere
 * refused with CHILD_EXPECTED_ELSEWHERE, `unmarked` taking a mark back, the arrival time kept across corrections.
 */
const { shanghaiToday } = require('../../utils/format');
const { addDays } = require('../../services/attendance');

const TODAY = shanghaiToday();

// 黄老师 (staff 1) heads 一年级1班 (class 1) and tutors its care group.
const CLASS_HEAD_ME = {
  account_id: 3, name: '黄老师', roles: ['class_head', 'teacher'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['class_head', 'teacher'], staff_id: 1 }],
};
// 李老师 (staff 25) tutors and leads clubs.
const TEACHER_ME = {
  account_id: 4, name: '李老师', roles: ['teacher'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 25 }],
};
const DUTY_ME = {
  account_id: 5, name: '王校长', roles: ['duty_leader'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['duty_leader'], staff_id: 30 }],
};

const TIMETABLE = {
  starts_at: '15:40', homework_ends_at: '16:20', activity_starts_at: '16:20',
  end_times: { low: '16:50', mid: '17:10', high: '17:20' }, winter: false,
};

/** The calendar's word on a date (DayOut); served unless told otherwise. */
function day(date = TODAY, overrides = {}) {
  return {
    date, weekday: 2, kind: 'regular', kind_label: '正常服务', served: true, note: null, runs_as_weekday: 2,
    change_id: null, timetable: TIMETABLE, leave_count: null, ...overrides,
  };
}

function holiday(date = TODAY, note = '国庆节') {
  return day(date, { kind: 'holiday', kind_label: '法定节假日', served: false, note, timetable: null });
}

/** A session (SessionOut): the care group 一年级1班 of today unless told otherwise. */
function session(overrides = {}) {
  return {
    id: 1, school_id: 1, date: TODAY, kind: 'care_group', kind_label: '看护班', name: '一年级1班', room: '一年级1班教室',
    starts_at: '15:40', ends_at: '16:50', teachers: [{ staff_id: 1, name: '黄老师' }, { staff_id: 25, name: '李老师' }],
    serving: true, expected_count: 4, arrived_count: 0, leave_count: 1, ...overrides,
  };
}

/** A leave (LeaveOut). */
function leave(kind = 'sick', { pending = false, time = null } = {}) {
  const kindLabel = { sick: '病假', personal: '事假', early_pickup: '提前接走' }[kind];
  return {
    leave_id: 9, kind, kind_label: kindLabel, pending, early_pickup_time: time,
    label: kindLabel + (time ? ` ${time}` : '') + (pending ? '（待班主任处理）' : ''),
  };
}

/** A roster row (RosterRow): expected here, unmarked, unless told otherwise. */
function row(id, name, overrides = {}) {
  return {
    student_id: id, name, class_id: 1, class_name: '一年级1班', photo_url: null, expected: true, place: '一年级1班',
    note: null, status: null, status_label: null, arrived_at: null, marked_at: null, marked_by: null, leave: null,
    club: null, absence_alert: false, handover_missing: false, ...overrides,
  };
}

/**
 * The roster of session 1: 曹一 (photo), 张二 (missing at handover, alerted), 廖三 (pending sick leave, still
 * expected), 刘四 (early pickup 16:30); 陈五 on sick leave; 吴六 at 舞蹈 today.
 */
function rosterRows() {
  return [
    row(1, '曹一', { photo_url: '/api/v1/students/1/photo/a.jpg?exp=1&sig=x' }),
    row(2, '张二', { handover_missing: true, absence_alert: true, note: '交接时未到' }),
    row(3, '廖三', { leave: leave('sick', { pending: true }) }),
    row(4, '刘四', { leave: leave('early_pickup', { time: '16:30' }) }),
    row(5, '陈五', { expected: false, place: '请假', leave: leave('sick') }),
    row(6, '吴六', { expected: false, place: '舞蹈', club: '舞蹈', note: '在社团：舞蹈' }),
  ];
}

const ARRIVED = ['present', 'late'];
const LABELS = { present: '已到', late: '迟到', absent: '缺席', leave: '请假' };

/**
 * A fake roll call for session `sessionId` on `fake` (tests/helpers/fake-wx.js): GET …/roster and PUT
 * …/attendance over `rows`, counting like the server. `state.rows` is what the server has; `state.refuse`
 * (student_id → [code, message]) refuses those children.
 */
function rollCallServer(fake, { sessionId = 1, rows = rosterRows(), sessionOverrides = {} } = {}) {
  const state = { rows, refuse: {}, clock: 0 };
  const answer = () => {
    const expected = state.rows.filter((r) => r.expected);
    return {
      session: session({
        id: sessionId,
        expected_count: expected.length,
        arrived_count: state.rows.filter((r) => ARRIVED.indexOf(r.status) >= 0).length,
        leave_count: state.rows.filter((r) => !r.expected && r.leave).length,
        ...sessionOverrides,
      }),
      rows: state.rows.map((r) => ({ ...r })),
    };
  };
  state.answer = answer;
  fake.route('GET', `/sessions/${sessionId}/roster`, () => ({ status: 200, body: answer() }));
  fake.route('PUT', `/sessions/${sessionId}/attendance`, (req) => {
    const marks = req.data;
    const refusals = marks.filter((m) => m.status !== 'unmarked').map((m) => {
      const target = state.rows.find((r) => r.student_id === m.student_id);
      if (state.refuse[m.student_id]) return { student_id: m.student_id, code: state.refuse[m.student_id][0], message: state.refuse[m.student_id][1] };
      if (target && !target.expected && !target.leave) {
        return { student_id: m.student_id, code: 'CHILD_EXPECTED_ELSEWHERE', message: `${target.name}今天应在「${target.place}」社团` };
      }
      return null;
    }).filter(Boolean);
    if (refusals.length) {
      return {
        status: 409,
        body: { error: { code: refusals[0].code, message: `${refusals.map((r) => r.message).join('；')}。本次点名未保存。`, errors: refusals } },
      };
    }
    marks.forEach((m) => {
      const target = state.rows.find((r) => r.student_id === m.student_id);
      if (m.status === 'unmarked') {
        Object.assign(target, { status: null, status_label: null, arrived_at: null, marked_at: null, marked_by: null });
        return;
      }
      state.clock += 1;
      const at = `${TODAY}T08:${String(state.clock).padStart(2, '0')}:00Z`;
      const arrived = ARRIVED.indexOf(m.status) >= 0;
      Object.assign(target, {
        status: m.status, status_label: LABELS[m.status], marked_at: at, marked_by: '李老师',
        arrived_at: arrived ? (target.arrived_at || at) : null,
      });
    });
    return { status: 200, body: answer() };
  });
  return state;
}

/** A handover row (HandoverRow): to the care group 一年级1班 unless told otherwise. */
function handoverRow(id, name, overrides = {}) {
  return {
    student_id: id, name, photo_url: null, destination_kind: 'care_group', destination: '一年级1班', session_id: 1,
    room: '一年级1班教室', starts_at: '15:40', expected: true, leave: null, present: null, missing: false, ...overrides,
  };
}

function handoverRows() {
  return [
    handoverRow(1, '曹一'),
    handoverRow(2, '张二'),
    handoverRow(3, '廖三', { leave: leave('sick', { pending: true }) }),
    handoverRow(4, '刘四', { leave: leave('early_pickup', { time: '16:30' }) }),
    handoverRow(8, '吴馨', { destination_kind: 'club', destination: '舞蹈', session_id: 26, room: '舞蹈房', starts_at: '16:20' }),
    handoverRow(5, '陈五', {
      destination_kind: 'leave', destination: '请假', session_id: null, room: null, starts_at: null, expected: false,
      leave: leave('sick'),
    }),
  ];
}

/** A fake handover of class 1 on `fake`: GET and POST …/handover as the server answers them. */
function handoverServer(fake, { classId = 1, date = TODAY, rows = handoverRows(), dayOut = day(date) } = {}) {
  const state = { rows, saved: null };
  const answer = () => ({
    class_id: classId,
    class_name: '一年级1班',
    day: dayOut,
    rows: state.rows.map((r) => ({
      ...r,
      present: state.saved ? state.saved.present_ids.indexOf(r.student_id) >= 0 : null,
      missing: state.saved ? state.saved.missing_ids.indexOf(r.student_id) >= 0 : false,
    })),
    handover: state.saved,
  });
  fake.route('GET', `/classes/${classId}/handover`, () => ({ status: 200, body: answer() }));
  fake.route('POST', `/classes/${classId}/handover`, (req) => {
    const present = req.data.present_ids;
    const missing = state.rows.filter((r) => r.expected && present.indexOf(r.student_id) < 0
      && !(r.leave && r.leave.kind !== 'early_pickup')).map((r) => r.student_id);
    state.saved = {
      present_ids: present.slice().sort((a, b) => a - b), missing_ids: missing, notes: req.data.notes,
      confirmed_by: '黄老师', confirmed_at: `${date}T08:05:00Z`,
    };
    return { status: 200, body: answer() };
  });
  return state;
}

const CLASSES = [
  { id: 1, school_id: 1, grade: 1, number: 1, name: '一年级1班', head_staff_id: 1, head_staff_name: '黄老师', student_count: 41 },
  { id: 2, school_id: 1, grade: 1, number: 2, name: '一年级2班', head_staff_id: 2, head_staff_name: '杨老师', student_count: 39 },
];

module.exports = {
  TODAY,
  CLASS_HEAD_ME,
  TEACHER_ME,
  DUTY_ME,
  CLASSES,
  addDays,
  day,
  holiday,
  session,
  leave,
  row,
  rosterRows,
  rollCallServer,
  handoverRow,
  handoverRows,
  handoverServer,
};
