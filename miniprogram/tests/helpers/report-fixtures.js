/**
 * The reports server's answers (app/reports/schemas.py SchoolDashboard, app/pickup/schemas.py BoardOut) for the
 * 校长看板 tests: the term's dashboard, today's (from = to = today) and today's board, at the duty tests' "now"
 * (Tuesday 2026-11-24 16:30 in Shanghai) for the duty tests' admin (示范小学, school 1).
 */
const { NOW, TODAY, ADMIN_ME, DUTY_ME } = require('./duty-fixtures');

const point = (date, expected, present, leave) => ({ date, expected, present, leave, absent: expected - present });

/** The term's SchoolDashboard (the current term from its start to today) unless told otherwise. */
function dashboard(overrides = {}) {
  return {
    school: { id: 1, name: '示范小学' },
    term: { id: 3, name: '2026秋季学期' },
    from: '2026-09-01',
    to: TODAY,
    participation: {
      eligible: 961, applied: 858, approved: 760, declined: 53, participation_rate: 79.08,
      declined_reasons: ['家中有老人接送'], by_grade: [], by_class: [], by_priority: [],
    },
    attendance: {
      series: [point('2026-11-20', 80, 76, 3), point('2026-11-23', 80, 70, 2), point(TODAY, 80, 78, 1)],
      expected: 6400, present: 6200, leave: 150, absent: 200, attendance_rate: 96.88,
    },
    pickups: {
      released: 6300, by_method: { qr: 6000, manual: 200, walk_home: 100 }, buckets: [{ from: '17:00', to: '17:10', count: 1200 }],
      latest: [{ date: TODAY, time: '18:02' }], late: 40, with_guard: 3,
    },
    clubs: [
      { club_id: 1, name: '书法', capacity: 30, enrolled: 24, waitlisted: 0, fill_rate: 80.0 },
      { club_id: 2, name: '国画', capacity: 25, enrolled: 25, waitlisted: 2, fill_rate: 100.0 },
      { club_id: 3, name: '儿童画', capacity: 30, enrolled: 23, waitlisted: 0, fill_rate: 76.67 },
      { club_id: 4, name: '合唱', capacity: 40, enrolled: 40, waitlisted: 5, fill_rate: 100.0 },
      { club_id: 5, name: '围棋', capacity: 20, enrolled: 4, waitlisted: 0, fill_rate: 20.0 },
      { club_id: 6, name: '篮球', capacity: 24, enrolled: 22, waitlisted: 0, fill_rate: 91.67 },
    ],
    teachers: { staff: 50, participating: 48, participation_rate: 96.0, sessions: 2100 },
    patrols: { due: 900, done: 870, rate: 96.67 },
    incidents: { total: 5, open: 1, by_type: { 身体不适: 2, 受伤: 3 } },
    fees: {
      children_billed: 760, billed_cents: 22800000, waived_cents: 720050, due_cents: 22079950, waivers_half: 2, waivers_full: 24,
    },
    satisfaction: {
      surveys: [{ survey_id: 1, title: '期中家长满意度调查', responses: 80, satisfied_rate: 98.75 }], satisfied_rate: 98.75,
    },
    computed_at: `${TODAY}T08:25:00Z`,
    ...overrides,
  };
}

/** Today's SchoolDashboard (?from=today&to=today): the day's attendance, incidents and patrols. */
function todayDashboard(overrides = {}) {
  return dashboard({
    from: TODAY,
    to: TODAY,
    attendance: { series: [point(TODAY, 80, 78, 1)], expected: 80, present: 78, leave: 1, absent: 2, attendance_rate: 97.5 },
    patrols: { due: 8, done: 6, rate: 75.0 },
    incidents: { total: 1, open: 1, by_type: { 受伤: 1 } },
    ...overrides,
  });
}

/** Today's BoardOut (lists empty: the 看板 needs only the totals and the clearance). */
function board(overrides = {}) {
  return {
    date: TODAY, served: true, in_care: 80, released: 71, remaining: 9, late: 2, with_guard: 1,
    latest_release_at: `${TODAY}T09:35:00Z`, by_grade: [], by_group: [], not_released: [], clearance: null,
    ...overrides,
  };
}

module.exports = { NOW, TODAY, ADMIN_ME, DUTY_ME, point, dashboard, todayDashboard, board };
