/**
 * 临时班 (care groups) and 看护报名 (tutor offers), over services/request.js.
 *
 * The admin builds the term's groups from the approved applications (POST …/care-groups/build: a class of 30 or
 * more keeps its own group, smaller ones merge within their grade, at most 45 a group, one tutor per 25 children
 * from the staff who volunteered); a rebuild keeps everyone where they are and only places newcomers. By hand the
 * admin renames a group or changes its room, moves a child into it (with a reason) and sets its tutors per
 * weekday. Teachers volunteer for weekdays. Every mutation is idempotent (one Idempotency-Key for the call and
 * its retries). Every function takes request options last.
 *
 * Also what the pages show: warnings in Chinese, a group's week at a glance, a build's totals per weekday, and
 * the tutors one could add to a group on a weekday.
 */
const { request } = require('./request');
const { coverSrc } = require('./clubs');
const { WEEKDAY_NAMES, weekdaysText } = require('../utils/format');

// The rule a warning says the result breaks (GroupWarning.code), as a short tag.
const WARNING_LABELS = {
  OVER_GROUP_MAX: '超过人数上限',
  TOO_FEW_TUTORS: '看护教师不足',
  NOT_PLACED: '未分班',
  OTHER_GRADE: '跨年级',
  TUTOR_INACTIVE: '教师已离岗',
  TUTOR_NOT_OFFERED: '教师已撤回报名',
};
// Monday–Friday: the weekdays to offer before a plan is published.
const SCHOOL_WEEK = [1, 2, 3, 4, 5];

function warningView(w, index) {
  return {
    key: `${w.code}-${w.group_id || 0}-${w.weekday || 0}-${w.student_id || 0}-${index}`,
    code: w.code,
    label: WARNING_LABELS[w.code] || '提醒',
    message: w.message,
    groupId: w.group_id || 0,
    studentId: w.student_id || 0,
  };
}

function tutorNames(tutors) {
  return (tutors || []).map((t) => (t.active ? t.name : `${t.name}（已离岗）`)).join('、');
}

/** A group's weekday (GroupDayOut) as shown: children, tutors in post of those needed, short when fewer. */
function dayView(day) {
  const serving = (day.tutors || []).filter((t) => t.active).length;
  return {
    weekday: day.weekday,
    label: day.weekday_label || WEEKDAY_NAMES[day.weekday],
    children: day.children,
    needed: day.tutors_needed,
    serving,
    short: serving < day.tutors_needed,
    tutorsText: tutorNames(day.tutors) || '未安排',
  };
}

/** A group (CareGroupOut) as the list shows it. */
function groupView(group) {
  return {
    id: group.id,
    name: group.name,
    room: group.room || '',
    classesText: (group.class_names || []).join('、'),
    place: [group.room, (group.class_names || []).join('、')].filter(Boolean).join(' · '),
    members: group.members,
    days: (group.days || []).map(dayView),
    warningCount: (group.warnings || []).length,
    warnings: (group.warnings || []).map(warningView),
  };
}

/** Per weekday over all groups: children staying, tutors in post and tutors needed (a build's answer or the listing). */
function weekTotals(out) {
  const byDay = {};
  (out.weekdays || []).forEach((wd) => {
    byDay[wd] = { weekday: wd, label: WEEKDAY_NAMES[wd], children: 0, tutors: 0, needed: 0 };
  });
  (out.groups || []).forEach((g) => (g.days || []).forEach((d) => {
    if (!byDay[d.weekday]) byDay[d.weekday] = { weekday: d.weekday, label: WEEKDAY_NAMES[d.weekday], children: 0, tutors: 0, needed: 0 };
    const row = byDay[d.weekday];
    row.children += d.children;
    row.tutors += (d.tutors || []).filter((t) => t.active).length;
    row.needed += d.tutors_needed;
  }));
  return Object.keys(byDay).map(Number).sort((a, b) => a - b)
    .map((wd) => ({ ...byDay[wd], short: byDay[wd].tutors < byDay[wd].needed }));
}

/** What a build did (BuildOut), in lines; nothing changed says so. */
function buildLines(out) {
  const lines = [];
  if (out.groups_created) lines.push(`新建 ${out.groups_created} 个临时班`);
  if (out.groups_removed) lines.push(`撤销 ${out.groups_removed} 个已无学生的临时班`);
  if (out.newly_placed) lines.push(`新安置 ${out.newly_placed} 名学生`);
  if (out.left) lines.push(`移出 ${out.left} 名已不在托管名单的学生`);
  if (out.tutors_added) lines.push(`新增看护安排 ${out.tutors_added} 人次`);
  if (out.tutors_released) lines.push(`调整掉看护安排 ${out.tutors_released} 人次`);
  if (!lines.length) lines.push('没有需要调整的：已分班的学生和看护教师保持不变');
  return lines;
}

/** The group's rota as PUT …/tutors wants it: [{staff_id, weekday}] from its days. */
function rotaOf(group) {
  const slots = [];
  (group.days || []).forEach((d) => (d.tutors || []).forEach((t) => slots.push({ staff_id: t.staff_id, weekday: d.weekday })));
  return slots;
}

/**
 * Whom the admin may add to `group` on `weekday`, from the term's offers (TutorOfferOut): those who offered
 * that weekday and are not on it yet. Someone already elsewhere that day, or leading a club then (the term's
 * clubs, ClubOut: teacher_staff_id, weekdays), is named with where — the server refuses them (TUTOR_BUSY,
 * TUTOR_LEADS_CLUB) — and comes after those free.
 */
function tutorChoices(offers, group, weekday, clubs = []) {
  const day = (group.days || []).find((d) => d.weekday === weekday);
  const here = ((day && day.tutors) || []).map((t) => t.staff_id);
  return (offers || [])
    .filter((o) => (o.weekdays || []).indexOf(weekday) >= 0 && here.indexOf(o.staff_id) < 0)
    .map((o) => {
      const busy = (o.assignments || []).find((a) => a.weekday === weekday && a.group_id !== group.id);
      const club = (clubs || []).find((c) => c.teacher_staff_id === o.staff_id && (c.weekdays || []).indexOf(weekday) >= 0);
      let label = o.staff_name;
      if (busy) label = `${o.staff_name}（已在「${busy.group_name}」）`;
      else if (club) label = `${o.staff_name}（${WEEKDAY_NAMES[weekday]}指导「${club.name}」）`;
      return { staffId: o.staff_id, name: o.staff_name, busy: Boolean(busy || club), label };
    })
    .sort((a, b) => Number(a.busy) - Number(b.busy));
}

/** A roster row (MemberOut) as shown. */
function memberView(m) {
  return {
    id: m.student_id,
    name: m.name,
    className: m.class_name,
    // a signed root-relative link, like club covers: the API's origin in front
    photoUrl: coverSrc(m.photo_url),
    daysText: (m.weekdays || []).length ? weekdaysText(m.weekdays) : '已不在托管名单',
    inCare: (m.weekdays || []).length > 0,
    byHand: m.placed_by === 'hand',
    reason: m.reason || '',
  };
}

/** An offer's weekdays and where the person was put: '周二 一年级1班、周四 一年级1班'. */
function assignmentsText(offer) {
  return ((offer && offer.assignments) || []).map((a) => `${WEEKDAY_NAMES[a.weekday]} ${a.group_name}`).join('、');
}

// ---------- the API ----------

/**
 * GET /terms/{id}/care-groups → {term_id, weekdays, children, placed, unplaced, groups: [CareGroupOut], warnings}.
 * CareGroupOut: {id, name, grade, room, class_ids, class_names, members, days: [{weekday, weekday_label, children,
 * tutors_needed, tutors: [{staff_id, name, placed_by, active}]}], warnings: [{code, message, group_id?, weekday?, student_id?}]}.
 */
function listGroups(termId, options = {}) {
  return request({ url: `/terms/${termId}/care-groups`, ...options });
}

/** POST /terms/{id}/care-groups/build → BuildOut: the listing plus groups_created / removed, newly_placed, left, tutors_added / released. */
function buildGroups(termId, options = {}) {
  return request({ url: `/terms/${termId}/care-groups/build`, method: 'POST', idempotent: true, ...options });
}

/** GET /care-groups/{id} → the group with its roster: [{student_id, name, class_name, photo_url, weekdays, placed_by, reason}]. */
function getGroup(groupId, options = {}) {
  return request({ url: `/care-groups/${groupId}`, ...options });
}

/** PATCH /care-groups/{id} {name?, room?} → the group (detail). GROUP_NAME_TAKEN (409, fields.name). */
function updateGroup(groupId, changes, options = {}) {
  return request({ url: `/care-groups/${groupId}`, method: 'PATCH', data: changes, idempotent: true, ...options });
}

/**
 * POST /care-groups/{id}/members {student_id, reason} → {group, from_group, warnings} (e.g. OTHER_GRADE,
 * OVER_GROUP_MAX: allowed, but said). CHILD_NOT_IN_CARE (409), STUDENT_NOT_FOUND (404).
 */
function moveChild(groupId, { studentId, reason }, options = {}) {
  return request({
    url: `/care-groups/${groupId}/members`, method: 'POST', data: { student_id: studentId, reason }, idempotent: true, ...options,
  });
}

/**
 * PUT /care-groups/{id}/tutors {tutors: [{staff_id, weekday}]} (the whole rota) → the group (detail).
 * TUTOR_BUSY / TUTOR_LEADS_CLUB (409), STAFF_INACTIVE / STAFF_NOT_FOUND / NOT_A_SERVICE_DAY (422).
 */
function setTutors(groupId, tutors, options = {}) {
  return request({ url: `/care-groups/${groupId}/tutors`, method: 'PUT', data: { tutors }, idempotent: true, ...options });
}

/** GET /terms/{id}/tutor-offers (admin) → [{staff_id, staff_name, roles, weekdays, note, updated_at, assignments}]. */
function listOffers(termId, options = {}) {
  return request({ url: `/terms/${termId}/tutor-offers`, ...options });
}

/** GET /terms/{id}/tutor-offers/{staff_id} (oneself or the admin) → the offer; 404 OFFER_NOT_FOUND when none. */
function getOffer(termId, staffId, options = {}) {
  return request({ url: `/terms/${termId}/tutor-offers/${staffId}`, ...options });
}

/** PUT /terms/{id}/tutor-offers/{staff_id} {weekdays, note?} → the offer (a second call replaces the first). */
function saveOffer(termId, staffId, { weekdays, note }, options = {}) {
  const data = { weekdays: (weekdays || []).slice().sort((a, b) => a - b) };
  const text = String(note || '').trim();
  if (text) data.note = text;
  return request({ url: `/terms/${termId}/tutor-offers/${staffId}`, method: 'PUT', data, idempotent: true, ...options });
}

/** DELETE /terms/{id}/tutor-offers/{staff_id} → 204 (a repeat is harmless). */
function withdrawOffer(termId, staffId, options = {}) {
  return request({ url: `/terms/${termId}/tutor-offers/${staffId}`, method: 'DELETE', idempotent: true, ...options });
}

module.exports = {
  WARNING_LABELS,
  SCHOOL_WEEK,
  warningView,
  dayView,
  groupView,
  weekTotals,
  buildLines,
  rotaOf,
  tutorChoices,
  memberView,
  assignmentsText,
  listGroups,
  buildGroups,
  getGroup,
  updateGroup,
  moveChild,
  setTutors,
  listOffers,
  getOffer,
  saveOffer,
  withdrawOffer,
};
