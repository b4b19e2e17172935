/**
 * Clubs (社团 / 课程超市 / 选课), over services/request.js.
 *
 * Every mutation (enrol, drop, lottery choices) is sent with `idempotent: true`: one Idempotency-Key for
 * the call and all its retries, so a double tap at the crowded school gate or a retry after a lost answer
 * never takes two seats or frees one twice (the server answers a retry with the first result).
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 * The admin's calls (clubs, covers, rounds, the draw) are idempotent too, except the cover upload, which
 * replaces the picture and so may simply be sent again (services/request.js `upload()`).
 *
 * Also the labels, colours and small formatters the club pages share (dates, weekdays and grades: utils/format.js;
 * terms: services/terms.js).
 */
const config = require('../config/index');
const { request, upload } = require('./request');
const { formatTime, parseTime, weekdaysText } = require('../utils/format');

// ---------- labels and formatting ----------

const CATEGORY_LABELS = {
  art: '艺术',
  sport: '体育',
  science: '科技',
  language: '语言',
  labour: '劳动',
  other: '其他',
};

// Placeholder colours when a club has no cover picture, one per category.
const CATEGORY_COLORS = {
  art: '#d9577f',
  sport: '#2f7fd8',
  science: '#7a5ccf',
  language: '#e08a2e',
  labour: '#5f9e3f',
  other: '#7d8a84',
};

const MODE_LABELS = { first_come: '先到先得', lottery: '摇号' };

// A round as the admin sees it (roundStatus).
const ROUND_STATES = {
  upcoming: '未开始',
  open: '进行中',
  ended: '已结束',
  drawn: '已摇号',
};

// The server accepts up to 10 ranked choices; more than 5 helps nobody choose.
// The server's limit too (ChoicesIn in app/clubs/schemas.py).
const MAX_CHOICES = 5;

function categoryLabel(category) {
  return CATEGORY_LABELS[category] || category || '';
}

function categoryColor(category) {
  return CATEGORY_COLORS[category] || CATEGORY_COLORS.other;
}

/** The label a club shows for its category: the server's, else ours. */
function clubCategoryLabel(club) {
  return club.category_label || categoryLabel(club.category);
}

/** When a club meets: "周二 16:00–16:40". */
function clubTime(club) {
  return `${weekdaysText(club.weekdays)} ${club.start_time}–${club.end_time}`;
}

/** When and where: "周二 16:00–16:40 · 美术教室" (no venue, no dot). */
function clubWhenWhere(club) {
  return [clubTime(club), club.venue].filter(Boolean).join(' · ');
}

/** Whether a child's status in a club (ClubOut.my_status) holds a place: in it, or on its waitlist. */
function isHeld(myStatus) {
  return myStatus === 'enrolled' || myStatus === 'waitlisted';
}

const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS);

function categoryRank(key) {
  const index = CATEGORY_ORDER.indexOf(key);
  return index < 0 ? CATEGORY_ORDER.length : index;
}

/**
 * Clubs (ClubOut) by category, in the order of CATEGORY_LABELS (unknown ones last, by key):
 * [{key, label, color, clubs: [...]}], each club in its list in the order given.
 */
function groupByCategory(list) {
  const groups = {};
  (list || []).forEach((club) => {
    if (!groups[club.category]) {
      groups[club.category] = {
        key: club.category, label: clubCategoryLabel(club), color: categoryColor(club.category), clubs: [],
      };
    }
    groups[club.category].clubs.push(club);
  });
  return Object.keys(groups)
    .sort((a, b) => categoryRank(a) - categoryRank(b) || (a < b ? -1 : 1))
    .map((key) => groups[key]);
}

/**
 * A club cover's URL for <image>. The server signs a root-relative path ("/api/v1/clubs/3/cover/x.jpg?exp=…");
 * an <image> cannot send the login token, so the signature is the permission and the path only needs
 * the API's origin in front. Absolute URLs pass through; nothing → ''.
 */
function coverSrc(url) {
  if (!url) return '';
  if (/^https?:\/\//.test(url)) return url;
  const origin = String(config.baseUrl).replace(/^(https?:\/\/[^/]+).*$/, '$1');
  return url.charAt(0) === '/' ? origin + url : `${origin}/${url}`;
}

/** "妈妈 李娟 13800000001" → {label: '妈妈 李娟', phone: '13800000001'} (phone '' when there is none). */
function parseContact(text) {
  const parts = String(text || '').trim().split(/\s+/).filter(Boolean);
  const last = parts[parts.length - 1] || '';
  if (/^\+?\d[\d-]{4,}$/.test(last)) return { label: parts.slice(0, -1).join(' '), phone: last };
  return { label: parts.join(' '), phone: '' };
}

/** A child's status in a club, as the guardian reads it: 已选上 / 候补第N位 / ''. */
function statusText(status, position) {
  if (status === 'enrolled') return '已选上';
  if (status === 'waitlisted') return position ? `候补第${position}位` : '候补中';
  return '';
}

/** The selection rounds as they stand now: which is open, the next to open, the schedule to show. */
function roundsState(rounds, now = Date.now()) {
  const list = (rounds || []).slice().sort((a, b) => parseTime(a.opens_at) - parseTime(b.opens_at));
  const open = list.filter((r) => r.is_open);
  const latest = (mode) => open.filter((r) => r.mode === mode).pop() || null;
  const upcoming = list.filter((r) => !r.is_open && parseTime(r.opens_at) > now);
  return {
    firstCome: latest('first_come'),
    lottery: latest('lottery'),
    next: upcoming[0] || null,
    schedule: list.map((r) => {
      const modeLabel = MODE_LABELS[r.mode] || r.mode;
      return {
        id: r.id,
        name: r.name,
        modeLabel,
        // "第一轮选课（先到先得）" already says how; "补选" gets "（先到先得）" added
        title: String(r.name).indexOf(modeLabel) >= 0 ? r.name : `${r.name}（${modeLabel}）`,
        window: `${formatTime(r.opens_at)} 至 ${formatTime(r.closes_at)}`,
        dropDeadline: r.drop_deadline ? formatTime(r.drop_deadline) : '',
        maxPerChild: r.max_per_child,
        state: roundStatus(r, now).label,
        isOpen: Boolean(r.is_open),
      };
    }),
  };
}

/** Whole-number percentage of seats taken: 24 of 30 → 80; no seats → 0; never above 100. */
function fillRate(enrolled, capacity) {
  if (!capacity || capacity <= 0) return 0;
  return Math.min(100, Math.round((100 * (enrolled || 0)) / capacity));
}

/**
 * Where a selection round stands for the admin: {key: upcoming|open|ended|drawn, label: 未开始/进行中/已结束/已摇号,
 * canDraw} — canDraw only for a lottery that has closed and has not been drawn.
 */
function roundStatus(round, now = Date.now()) {
  // is_open is the server's opens_at <= now < closes_at; the rest is before or after it.
  let key = 'ended';
  if (round.drawn_at) key = 'drawn';
  else if (round.is_open) key = 'open';
  else if (parseTime(round.opens_at) > now) key = 'upcoming';
  return { key, label: ROUND_STATES[key], canDraw: round.mode === 'lottery' && key === 'ended' };
}

// ---------- catalogue and rounds ----------

/**
 * GET /terms/{id}/clubs?student_id= → [{id, name, category, category_label, description, teacher_staff_id,
 * teacher_name, venue, weekdays, start_time, end_time, capacity, grades, enrolled, free_seats, waitlisted,
 * cover_url?, may_choose, reason, my_status}] — may_choose / reason / my_status only with a student.
 */
function listClubs(termId, studentId, options = {}) {
  return request({ url: `/terms/${termId}/clubs`, data: studentId ? { student_id: studentId } : undefined, ...options });
}

/** GET /clubs/{id} → one club (ClubOut, without the per-child fields). */
function getClub(clubId, options = {}) {
  return request({ url: `/clubs/${clubId}`, ...options });
}

/**
 * GET /terms/{id}/selection-rounds → [{id, name, mode: first_come|lottery, opens_at, closes_at,
 * drop_deadline, max_per_child, priority_first, seed, drawn_at, is_open}]
 */
function listRounds(termId, options = {}) {
  return request({ url: `/terms/${termId}/selection-rounds`, ...options });
}

/** GET /selection-rounds/{id} → one round (the same shape as listRounds' items, with its term_id). */
function getRound(roundId, options = {}) {
  return request({ url: `/selection-rounds/${roundId}`, ...options });
}

// ---------- a guardian's choices ----------

/**
 * POST /clubs/{id}/enrollments {student_id} → {id, club_id, club_name, student_id, student_name,
 * status: enrolled|waitlisted, status_label, position} (position = place on the waitlist, 1 = next in).
 * Refusals (409): SELECTION_CLOSED 现在不在选课时间内, CLUB_NOT_ALLOWED (the reason), BUSY (503).
 */
function enroll(clubId, studentId, options = {}) {
  return request({
    url: `/clubs/${clubId}/enrollments`,
    method: 'POST',
    data: { student_id: studentId },
    idempotent: true,
    ...options,
  });
}

/** DELETE /clubs/{id}/enrollments/{student_id} → the dropped place. 409 DROP_CLOSED after the deadline. */
function drop(clubId, studentId, options = {}) {
  return request({
    url: `/clubs/${clubId}/enrollments/${studentId}`,
    method: 'DELETE',
    idempotent: true,
    ...options,
  });
}

/** GET /students/{id}/clubs → the child's places (enrolled and waitlisted, every term), with position. */
function childClubs(studentId, options = {}) {
  return request({ url: `/students/${studentId}/clubs`, ...options });
}

/**
 * GET /selection-rounds/{id}/choices/{student_id} → the child's saved lottery choices, first choice first
 * (ClubOut[], [] before any save) — whichever phone saved them.
 */
function savedChoices(roundId, studentId, options = {}) {
  return request({ url: `/selection-rounds/${roundId}/choices/${studentId}`, ...options });
}

/**
 * PUT /selection-rounds/{id}/choices/{student_id} {club_ids: [first choice, second, …]} → the chosen clubs
 * in that order (ClubOut[]). Replaces earlier choices. 409 SELECTION_CLOSED outside the lottery window.
 */
function saveChoices(roundId, studentId, clubIds, options = {}) {
  return request({
    url: `/selection-rounds/${roundId}/choices/${studentId}`,
    method: 'PUT',
    data: { club_ids: clubIds },
    idempotent: true,
    ...options,
  });
}

// ---------- teachers ----------

/** GET /terms/{id}/my-clubs (a teacher or an admin of the term's school) → the clubs the caller leads (ClubOut[]). */
function myClubs(termId, options = {}) {
  return request({ url: `/terms/${termId}/my-clubs`, ...options });
}

/**
 * GET /clubs/{id}/roster (the club's teacher, or an admin) → [{student_id, student_name, class_name,
 * status, position, guardians: ["妈妈 李娟 13800000001", …]}]
 */
function roster(clubId, options = {}) {
  return request({ url: `/clubs/${clubId}/roster`, ...options });
}

// ---------- admins: clubs, covers, staff ----------

/**
 * The body of POST /terms/{id}/clubs and PUT /clubs/{id} (ClubIn): {name, category, description,
 * teacher_staff_id|null, venue, weekdays [1–5], start_time, end_time 'HH:MM', capacity 1–500, grades [1–6],
 * min_to_open|null}. 422 with `fields` per field; 409 CLUB_EXISTS (fields.name), 422 STAFF_NOT_FOUND
 * (fields.teacher_staff_id), 409 CAPACITY_BELOW_ENROLLED.
 */
function createClub(termId, data, options = {}) {
  return request({ url: `/terms/${termId}/clubs`, method: 'POST', data, idempotent: true, ...options });
}

/** PUT /clubs/{id} ClubIn → the club (ClubOut). */
function updateClub(clubId, data, options = {}) {
  return request({ url: `/clubs/${clubId}`, method: 'PUT', data, idempotent: true, ...options });
}

/** DELETE /clubs/{id} → 204: 停开 (the club leaves the catalogue; its enrolments stay on record). */
function closeClub(clubId, options = {}) {
  return request({ url: `/clubs/${clubId}`, method: 'DELETE', idempotent: true, ...options });
}

/**
 * POST /clubs/{id}/cover, multipart field `file` (a JPG or PNG from wx.chooseMedia) → the club with its new
 * signed cover_url. 415 PHOTO_NOT_IMAGE, 413 PHOTO_TOO_LARGE.
 */
function uploadCover(clubId, filePath, options = {}) {
  return upload({ url: `/clubs/${clubId}/cover`, filePath, name: 'file', ...options });
}

/** GET /schools/{id}/staff (admins) → [{id, name, phone, roles, is_active, …}], for the teacher picker. */
function listStaff(schoolId, options = {}) {
  return request({ url: `/schools/${schoolId}/staff`, ...options });
}

// ---------- admins: rounds and the lottery ----------

/**
 * POST /terms/{id}/selection-rounds {name, mode: first_come|lottery, opens_at, closes_at, drop_deadline|null,
 * max_per_child 1–10, priority_first} (datetimes with their zone, see utils/format.js shanghaiIso) → the round.
 */
function createRound(termId, data, options = {}) {
  return request({ url: `/terms/${termId}/selection-rounds`, method: 'POST', data, idempotent: true, ...options });
}

/**
 * POST /selection-rounds/{id}/draw {seed?} → {round_id, seed, clubs: [{club_id, name, enrolled: [names],
 * waitlisted: [names]}]}. The seed is recorded on the round. 409 LOTTERY_TOO_EARLY, LOTTERY_DRAWN, NOT_A_LOTTERY.
 */
function drawLottery(roundId, seed, options = {}) {
  return request({
    url: `/selection-rounds/${roundId}/draw`,
    method: 'POST',
    data: seed ? { seed } : {},
    idempotent: true,
    ...options,
  });
}

/** GET /selection-rounds/{id}/results → the same shape as drawLottery's answer. */
function lotteryResults(roundId, options = {}) {
  return request({ url: `/selection-rounds/${roundId}/results`, ...options });
}

module.exports = {
  CATEGORY_LABELS,
  CATEGORY_COLORS,
  MODE_LABELS,
  MAX_CHOICES,
  categoryLabel,
  categoryColor,
  clubCategoryLabel,
  clubTime,
  clubWhenWhere,
  isHeld,
  groupByCategory,
  coverSrc,
  parseContact,
  statusText,
  roundsState,
  fillRate,
  roundStatus,
  listClubs,
  getClub,
  listRounds,
  getRound,
  enroll,
  drop,
  childClubs,
  savedChoices,
  saveChoices,
  myClubs,
  roster,
  createClub,
  updateClub,
  closeClub,
  uploadCover,
  listStaff,
  createRound,
  drawLottery,
  lotteryResults,
};
