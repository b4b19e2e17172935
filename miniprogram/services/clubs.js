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
 * Also the labels, colours and small formatters the club pages share.
 */
const config = require('../config/index');
const { request, upload } = require('./request');

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

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const GRADE_NAMES = ['', '一', '二', '三', '四', '五', '六'];

// The server accepts up to 10 ranked choices; more than 5 helps nobody choose.
const MAX_CHOICES = 5;

function categoryLabel(category) {
  return CATEGORY_LABELS[category] || category || '';
}

function categoryColor(category) {
  return CATEGORY_COLORS[category] || CATEGORY_COLORS.other;
}

/** [1,3] → 周一、周三; [1,2,3,4,5] → 周一至周五. */
function weekdaysText(days) {
  const sorted = (days || []).slice().sort((a, b) => a - b);
  if (!sorted.length) return '';
  const consecutive = sorted.every((d, i) => i === 0 || d === sorted[i - 1] + 1);
  if (sorted.length >= 3 && consecutive) return `${WEEKDAY_NAMES[sorted[0]]}至${WEEKDAY_NAMES[sorted[sorted.length - 1]]}`;
  return sorted.map((d) => WEEKDAY_NAMES[d]).join('、');
}

/** [1,2] → 一、二年级; [3,4,5,6] → 三至六年级. */
function gradesText(grades) {
  const sorted = (grades || []).slice().sort((a, b) => a - b);
  if (!sorted.length) return '';
  const consecutive = sorted.every((g, i) => i === 0 || g === sorted[i - 1] + 1);
  if (sorted.length >= 3 && consecutive) return `${GRADE_NAMES[sorted[0]]}至${GRADE_NAMES[sorted[sorted.length - 1]]}年级`;
  return `${sorted.map((g) => GRADE_NAMES[g]).join('、')}年级`;
}

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

function parseTime(iso) {
  if (!iso) return NaN;
  const s = String(iso);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
  return Date.parse(hasZone ? s : `${s}Z`);
}

/**
 * An API datetime (UTC, ISO 8601) in the school's zone, Asia/Shanghai (UTC+8, no DST):
 * "2026-09-01T04:00:00Z" → "09-01 12:00" (with the year when `withYear`).
 */
function formatTime(iso, withYear = false) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return iso ? String(iso) : '';
  const d = new Date(ms + 8 * 3600 * 1000);
  const day = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withYear ? `${d.getUTCFullYear()}-${day}` : day;
}

/** Today in Asia/Shanghai as 'YYYY-MM-DD'. */
function shanghaiToday(now = Date.now()) {
  const d = new Date(now + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The term running today (its dates contain today), else the next to start, else the latest. */
function pickCurrentTerm(terms, today = shanghaiToday()) {
  const list = (terms || []).slice().sort((a, b) => (a.starts_on < b.starts_on ? -1 : 1));
  if (!list.length) return null;
  const running = list.find((t) => t.is_current || (t.starts_on <= today && today <= t.ends_on));
  return running || list.find((t) => t.starts_on > today) || list[list.length - 1];
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
      const opensAt = parseTime(r.opens_at);
      let state = '已结束';
      if (r.is_open) state = '进行中';
      else if (opensAt > now) state = '未开始';
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
        state,
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
  let key = 'ended';
  if (round.drawn_at) key = 'drawn';
  else if (round.is_open) key = 'open';
  else if (parseTime(round.opens_at) > now) key = 'upcoming';
  else if (parseTime(round.closes_at) > now) key = 'open';
  return { key, label: ROUND_STATES[key], canDraw: round.mode === 'lottery' && key === 'ended' };
}

/**
 * A school date and time ('2026-09-01', '12:00', Asia/Shanghai) as the ISO datetime the API wants, with
 * the zone spelt out: '2026-09-01T12:00:00+08:00'. '' when either part is missing.
 */
function shanghaiIso(date, time) {
  if (!date || !time) return '';
  return `${date}T${time}:00+08:00`;
}

/** An API datetime as school date and time parts: '2026-09-01T04:00:00Z' → {date: '2026-09-01', time: '12:00'}. */
function shanghaiParts(iso) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return { date: '', time: '' };
  const d = new Date(ms + 8 * 3600 * 1000);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

// ---------- terms ----------

/** GET /schools/{id}/terms → [{id, school_id, name, starts_on, ends_on, is_current}] */
function listTerms(schoolId, options = {}) {
  return request({ url: `/schools/${schoolId}/terms`, ...options });
}

/** The school's current term (pickCurrentTerm); rejects with code NO_TERM when it has none. */
function currentTerm(schoolId, options = {}) {
  return listTerms(schoolId, options).then((terms) => {
    const term = pickCurrentTerm(terms);
    if (!term) {
      const err = new Error('学校尚未设置学期');
      err.code = 'NO_TERM';
      throw err;
    }
    return term;
  });
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
 * max_per_child 1–10, priority_first} (datetimes with their zone, see shanghaiIso) → the round.
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
  ROUND_STATES,
  WEEKDAY_NAMES,
  GRADE_NAMES,
  MAX_CHOICES,
  categoryLabel,
  categoryColor,
  weekdaysText,
  gradesText,
  formatTime,
  parseTime,
  shanghaiToday,
  pickCurrentTerm,
  coverSrc,
  parseContact,
  statusText,
  roundsState,
  fillRate,
  roundStatus,
  shanghaiIso,
  shanghaiParts,
  listTerms,
  currentTerm,
  listClubs,
  getClub,
  listRounds,
  enroll,
  drop,
  childClubs,
  saveChoices,
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
