/** Server answers for the leave and care-group page tests (shapes as app/leave/schemas.py, app/caregroups/schemas.py). */

// Tuesday 2026-03-10, 10:00 in Beijing: the tests' "now" (jest.spyOn(Date, 'now')).
const NOW = Date.parse('2026-03-10T02:00:00Z');
const TODAY = '2026-03-10';

const TIMETABLE = {
  starts_at: '15:40', homework_ends_at: '16:20', activity_starts_at: '16:20',
  end_times: { low: '17:00', mid: '17:20', high: '17:30' }, winter: false,
};

function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

/** The calendar's days (DayOut) from `from` for `count` days: weekdays served, weekends not, `changes` by date. */
function calendarDays(from, count, changes = {}) {
  const days = [];
  for (let i = 0; i < count; i += 1) {
    const date = addDays(from, i);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
    const weekend = weekday > 5;
    const day = {
      date, weekday, kind: weekend ? 'weekend' : 'regular', kind_label: weekend ? '周末' : '正常服务', served: !weekend,
      note: null, runs_as_weekday: weekday, change_id: null, timetable: weekend ? null : TIMETABLE, leave_count: null,
    };
    days.push({ ...day, ...(changes[date] || {}) });
  }
  return days;
}

function calendar(days) {
  return { term_id: 5, weekdays: [1, 2, 3, 4, 5], service_day_count: days.filter((d) => d.served).length, days, warnings: [], leave_cutoff: '14:00' };
}

const STATUS_LABELS = { submitted: '待班主任处理', approved: '已批准', noted: '班主任已知悉', cancelled: '已撤销' };
const KIND_LABELS = { sick: '病假', personal: '事假', early_pickup: '提前接走' };

function leaveOut(overrides = {}) {
  const out = {
    id: 61, student_id: 11, student_name: '李小明', class_id: 3, class_name: '一年级1班', kind: 'sick',
    dates: ['2026-03-11'], reason: '发烧', early_pickup_time: null, status: 'submitted', urgent: false,
    requested_at: '2026-03-10T01:00:00Z', decided_at: null, decided_by_name: null, comment: null, cancellable: true,
    ...overrides,
  };
  out.kind_label = KIND_LABELS[out.kind];
  out.status_label = STATUS_LABELS[out.status];
  return out;
}

// ---------- care groups ----------

function tutor(staffId, name, placedBy = 'build', active = true) {
  return { staff_id: staffId, name, placed_by: placedBy, active };
}

function groupDays(children, tutorsByDay, needed) {
  return [1, 2, 3, 4, 5].map((weekday) => ({
    weekday,
    weekday_label: ['', '周一', '周二', '周三', '周四', '周五'][weekday],
    children: typeof children === 'number' ? children : children[weekday - 1],
    tutors_needed: needed === undefined ? 2 : needed,
    tutors: tutorsByDay[weekday] || [],
  }));
}

function careGroup(overrides = {}) {
  return {
    id: 1, term_id: 5, name: '一年级1班', grade: 1, room: '一年级1班教室', class_ids: [3], class_names: ['一年级1班'],
    members: 35,
    days: groupDays(35, {
      1: [tutor(1, '黄老师'), tutor(26, '刘老师')], 2: [tutor(1, '黄老师'), tutor(25, '李老师')],
      3: [tutor(1, '黄老师'), tutor(26, '刘老师')], 4: [tutor(25, '李老师'), tutor(26, '刘老师')],
      5: [tutor(1, '黄老师'), tutor(25, '李老师')],
    }),
    warnings: [],
    ...overrides,
  };
}

const OVER_MAX = { code: 'OVER_GROUP_MAX', message: '三年级合班1有 47 人，超过每班 45 人的上限', group_id: 2, weekday: null, student_id: null };
const TOO_FEW = { code: 'TOO_FEW_TUTORS', message: '三年级合班1周三留校 47 人，需看护教师 2 名，现有 1 名', group_id: 2, weekday: 3, student_id: null };
const NOT_PLACED = { code: 'NOT_PLACED', message: '周小雨（二年级1班）还没有分到看护班', group_id: null, weekday: null, student_id: 99 };

function secondGroup(overrides = {}) {
  return careGroup({
    id: 2, name: '三年级合班1', grade: 3, room: '三年级2班教室', class_ids: [7, 8], class_names: ['三年级2班', '三年级3班'],
    members: 47,
    days: groupDays(47, { 1: [tutor(30, '陈老师'), tutor(31, '吴老师')], 2: [tutor(30, '陈老师'), tutor(31, '吴老师')],
      3: [tutor(30, '陈老师')], 4: [tutor(30, '陈老师'), tutor(31, '吴老师')], 5: [tutor(30, '陈老师'), tutor(31, '吴老师')] }),
    warnings: [OVER_MAX, TOO_FEW],
    ...overrides,
  });
}

function groupsOut(groups = [careGroup(), secondGroup()], extra = []) {
  const warnings = groups.reduce((all, g) => all.concat(g.warnings), []).concat(extra);
  const placed = groups.reduce((sum, g) => sum + g.members, 0);
  const unplaced = extra.filter((w) => w.code === 'NOT_PLACED').length;
  return { term_id: 5, weekdays: [1, 2, 3, 4, 5], children: placed + unplaced, placed, unplaced, groups, warnings };
}

function member(studentId, name, overrides = {}) {
  return {
    student_id: studentId, name, class_id: 3, class_name: '一年级1班', photo_url: null, weekdays: [1, 2, 3, 4, 5],
    placed_by: 'build', reason: null, ...overrides,
  };
}

function groupDetail(group = careGroup(), roster = [member(11, '李小明'), member(12, '王小华', { weekdays: [1, 3] })]) {
  return { ...group, roster };
}

function offer(staffId, name, weekdays, assignments = [], overrides = {}) {
  return {
    staff_id: staffId, staff_name: name, roles: ['teacher'], weekdays, note: null, updated_at: '2026-03-01T02:00:00Z',
    assignments, ...overrides,
  };
}

module.exports = {
  NOW, TODAY, TIMETABLE, addDays, calendarDays, calendar, leaveOut,
  tutor, groupDays, careGroup, secondGroup, groupsOut, member, groupDetail, offer, OVER_MAX, TOO_FEW, NOT_PLACED,
};
