/**
 * Server answers shared by the club page tests (shapes as app/clubs/schemas.py). The admin and the terms
 * are the enrollment tests' own (tests/helpers/enrollment-fixtures.js).
 */
const { ADMIN_ME, TERMS } = require('./enrollment-fixtures');

// A guardian with one child, 李小红 of 一年级(1)班.
const GUARDIAN_ME = {
  account_id: 7,
  name: '王芳',
  roles: ['guardian'],
  schools: [],
  children: [
    { id: 2, name: '李小红', school_id: 1, school_name: '示范小学', class_id: 1, class_name: '一年级(1)班', relation: '妈妈', may_pick_up: true },
  ],
};

// A teacher (staff 40) who leads clubs.
const TEACHER_ME = {
  account_id: 8,
  name: '张老师',
  roles: ['teacher'],
  schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 40 }],
  children: [],
};

/** A club of term 5 (ClubOut): 儿童画 unless told otherwise; free_seats follows capacity and enrolled. */
function club(overrides = {}) {
  const c = {
    id: 1, term_id: 5, name: '儿童画', category: 'art', category_label: '艺术', description: '',
    teacher_staff_id: 30, teacher_name: '周老师', venue: '美术教室', weekdays: [2], start_time: '16:00',
    end_time: '16:40', capacity: 30, grades: [1, 2], min_to_open: null, enrolled: 0, waitlisted: 0,
    cover_url: null, may_choose: true, reason: null, my_status: null,
    ...overrides,
  };
  return { free_seats: Math.max(0, c.capacity - c.enrolled), ...c };
}

// Selection rounds of term 5 (RoundOut).
const FIRST_COME_OPEN = {
  id: 11, term_id: 5, name: '第一轮选课（先到先得）', mode: 'first_come',
  opens_at: '2026-03-01T04:00:00Z', closes_at: '2099-03-14T04:00:00Z', drop_deadline: '2099-03-14T04:00:00Z',
  max_per_child: 2, priority_first: true, seed: null, drawn_at: null, is_open: true,
};
const LOTTERY_OPEN = { ...FIRST_COME_OPEN, id: 12, name: '第二轮（摇号）', mode: 'lottery', drop_deadline: null };
const LATER = {
  ...FIRST_COME_OPEN, id: 13, name: '补选', opens_at: '2099-04-01T01:00:00Z', closes_at: '2099-04-03T10:00:00Z', is_open: false,
};

module.exports = { ADMIN_ME, TERMS, GUARDIAN_ME, TEACHER_ME, club, FIRST_COME_OPEN, LOTTERY_OPEN, LATER };
