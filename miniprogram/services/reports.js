/**
 * 统计 (docs/reports.md), over services/request.js: a school's dashboard — participation, attendance (with its daily
 * series), pickups, clubs, teachers, patrols, incidents, fees and satisfaction — for a term (the current one by
 * default) and a range of days (the term's start to today by default; `from` = `to` = today for today's figures).
 * The backend is app/reports/ (admins of the school, district users of its district).
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 *
 * Also the wording the 校长看板 (pages/principal) shows: rates, yuan, the attendance bars, the fullest clubs,
 * incidents by type, satisfaction.
 */
const { request } = require('./request');
const { yuan } = require('./enrollment');

// Who may open the 校长看板: the school's admins (the report also lets district users in, the board does not).
const PRINCIPAL_ROLES = ['admin'];
// The attendance bars: the last this many service days of the range.
const BAR_DAYS = 30;
// The clubs shown, fullest first.
const TOP_CLUBS = 5;

// ---------- requests ----------

/**
 * GET /reports/schools/{id}?term_id=&from=&to= → SchoolDashboard {school, term, from, to, participation, attendance,
 * pickups, clubs, teachers, patrols, incidents, fees, satisfaction, computed_at}. Nothing given → the current term
 * from its start to today. TERM_NOT_FOUND (404) when the school has no such term.
 */
function schoolDashboard(schoolId, { termId, from, to } = {}, options = {}) {
  const data = {};
  if (termId) data.term_id = termId;
  if (from) data.from = from;
  if (to) data.to = to;
  return request({
    url: `/reports/schools/${encodeURIComponent(String(schoolId))}`,
    data: Object.keys(data).length ? data : undefined,
    ...options,
  });
}

// ---------- wording ----------

/** A rate as the server gives it (two decimals) → '82.18%', 96.0 → '96%', 99.8 → '99.8%'; nothing → '0%'. */
function percentText(rate) {
  const value = Number(rate) || 0;
  return `${value.toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** Cents → yuan with thousands marked: 22080000 → '220,800'; 12345 → '123.45'. */
function yuanText(cents) {
  const [whole, fraction] = yuan(cents).split('.');
  const sign = whole[0] === '-' ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** 'YYYY-MM-DD' → '11月23日'. */
function monthDay(date) {
  const [, m, d] = String(date || '').split('-').map(Number);
  return m && d ? `${m}月${d}日` : String(date || '');
}

/** present / expected × 100, rounded (0 when nobody was expected). */
function dayRate(point) {
  return point.expected ? Math.round((100 * point.present) / point.expected) : 0;
}

/**
 * The daily attendance bars (attendance.series, the last `days` service days): each bar's height is the day's
 * attendance (present / expected, in %), with what the day's tap says.
 */
function attendanceBars(series, days = BAR_DAYS) {
  return (series || []).slice(-days).map((point) => {
    const rate = dayRate(point);
    return {
      date: point.date,
      height: Math.min(100, rate),
      low: point.expected > 0 && rate < 90,
      text: `${monthDay(point.date)} 已到 ${point.present}/${point.expected} 人（${rate}%），请假 ${point.leave}，缺席 ${point.absent}`,
    };
  });
}

/** The fullest clubs (fill rate, then the waitlist, then the name), `n` of them, each with its bar's width. */
function topClubs(clubs, n = TOP_CLUBS) {
  return (clubs || []).slice().sort((a, b) => (b.fill_rate - a.fill_rate) || (b.waitlisted - a.waitlisted)
    || (a.name < b.name ? -1 : (a.name > b.name ? 1 : 0))).slice(0, n).map((c) => ({
    id: c.club_id,
    name: c.name,
    enrolled: c.enrolled,
    capacity: c.capacity,
    waitlisted: c.waitlisted,
    rateText: percentText(c.fill_rate),
    width: Math.max(0, Math.min(100, Number(c.fill_rate) || 0)),
  }));
}

/** incidents.by_type ({受伤: 3, 身体不适: 2}) → [{type, count}], most first. */
function incidentTypes(byType) {
  return Object.keys(byType || {}).map((type) => ({ type, count: byType[type] }))
    .sort((a, b) => b.count - a.count);
}

/**
 * satisfaction → {answered, rateText, surveys, responses}: answered is false while no survey of the term has a
 * response (the server's rate is then 0, which is not a verdict).
 */
function satisfactionView(satisfaction) {
  const surveys = (satisfaction && satisfaction.surveys) || [];
  const responses = surveys.reduce((sum, s) => sum + (s.responses || 0), 0);
  return {
    answered: responses > 0,
    rateText: percentText(satisfaction && satisfaction.satisfied_rate),
    surveys: surveys.length,
    responses,
  };
}

module.exports = {
  PRINCIPAL_ROLES,
  BAR_DAYS,
  TOP_CLUBS,
  schoolDashboard,
  percentText,
  yuanText,
  monthDay,
  attendanceBars,
  topClubs,
  incidentTypes,
  satisfactionView,
};
