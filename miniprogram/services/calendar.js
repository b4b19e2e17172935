/**
 * The service calendar (服务日历) and the school's rules (学校设置), over services/request.js.
 *
 * A term's days: each one regular (正常服务), a statutory holiday (法定节假日, with its name), a make-up working
 * day (调休上班日, served or not by the school's rule), cancelled (停课, with the reason), added (加开, with the
 * reason and the weekday whose timetable it follows), not in the plan (方案未安排) or a weekend. Admins cancel
 * and add days and undo their changes; every mutation is idempotent (one Idempotency-Key for the call and its
 * retries), so a retried 停课 never records twice.
 *
 * Also the month arithmetic the calendar page needs (school dates are 'YYYY-MM-DD' strings, months 'YYYY-MM'),
 * and the rules' limits as the server checks them (RulesIn, app/schools/schemas.py).
 */
const { request } = require('./request');

// The server's labels (DayOut.kind_label) are shown; these are only for the legend and a missing label.
const KIND_LABELS = {
  regular: '正常服务',
  holiday: '法定节假日',
  makeup: '调休上班日',
  cancelled: '停课',
  added: '加开',
  not_planned: '方案未安排',
  weekend: '周末',
};

// What a day's cell says under its number (a holiday says its name instead).
const KIND_TAGS = {
  regular: '',
  holiday: '休',
  makeup: '调休',
  cancelled: '停课',
  added: '加开',
  not_planned: '不服务',
  weekend: '',
};

// Grade bands of the timetable's end times (DayOut.timetable.end_times).
const BANDS = [
  ['low', '低年级'],
  ['mid', '中年级'],
  ['high', '高年级'],
];

// RulesIn: the integer settings, their names and the range the server accepts.
const RULE_LIMITS = {
  group_max: { label: '临时班人数上限', min: 10, max: 80 },
  class_keeps_group_at: { label: '单独成班人数', min: 1, max: 80 },
  children_per_tutor: { label: '每名看护教师对应学生数', min: 5, max: 60 },
  absence_alert_minutes: { label: '未到提醒（分钟）', min: 1, max: 120 },
};
const RULE_FIELDS = ['service_on_makeup_days'].concat(Object.keys(RULE_LIMITS), ['leave_cutoff']);
const CUTOFF_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

// ---------- dates and months ----------

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** '2026-11-24' → '2026-11'. */
function monthOf(date) {
  return String(date).slice(0, 7);
}

/** '2026-11' moved by `n` months: ('2026-12', 1) → '2027-01'. */
function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** '2027-01' → '2027年1月'. */
function monthLabel(month) {
  const [y, m] = month.split('-').map(Number);
  return `${y}年${m}月`;
}

function daysInMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The month's first and last dates within the term: {from, to} for GET …/calendar. */
function monthRange(month, term) {
  const first = `${month}-01`;
  const last = `${month}-${pad(daysInMonth(month))}`;
  return {
    from: first < term.starts_on ? term.starts_on : first,
    to: last > term.ends_on ? term.ends_on : last,
  };
}

/** The month to open on: today's, within the term (its first month before it starts, its last after it ends). */
function startMonth(term, today) {
  if (today < term.starts_on) return monthOf(term.starts_on);
  if (today > term.ends_on) return monthOf(term.ends_on);
  return monthOf(today);
}

/**
 * The month as weeks (Monday first): null for the blanks before the 1st and after the last day, else the date.
 * '2026-11' (the 1st is a Sunday) → [[null ×6, '2026-11-01'], ['2026-11-02', …], …].
 */
function monthWeeks(month) {
  const [y, m] = month.split('-').map(Number);
  const firstWeekday = new Date(Date.UTC(y, m - 1, 1)).getUTCDay() || 7; // 1 = Monday … 7 = Sunday
  const cells = [];
  for (let i = 1; i < firstWeekday; i += 1) cells.push(null);
  for (let d = 1; d <= daysInMonth(month); d += 1) cells.push(`${month}-${pad(d)}`);
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

// ---------- a day ----------

/** A served day's times as rows: 开始, 作业辅导至, 活动开始, then each band's end. [] when there is no timetable. */
function timetableRows(timetable) {
  if (!timetable) return [];
  const rows = [
    { key: 'starts', label: '开始', value: timetable.starts_at },
    { key: 'homework', label: '作业辅导至', value: timetable.homework_ends_at },
    { key: 'activity', label: '活动开始', value: timetable.activity_starts_at },
  ];
  BANDS.forEach(([band, label]) => {
    const end = timetable.end_times && timetable.end_times[band];
    if (end) rows.push({ key: `end-${band}`, label: `${label}结束`, value: end });
  });
  return rows;
}

// ---------- the API ----------

/**
 * GET /terms/{id}/calendar?from=&to= → {term_id, weekdays, service_day_count, days: [DayOut], warnings}.
 * DayOut: {date, weekday, kind, kind_label, served, note, runs_as_weekday, change_id, timetable | null,
 * leave_count (staff only; null or absent otherwise)}. `range`: {from, to} ('YYYY-MM-DD'), or nothing for the
 * whole term. 404 PLAN_NOT_PUBLISHED before the plan is published.
 */
function termCalendar(termId, range, options = {}) {
  const data = {};
  if (range && range.from) data.from = range.from;
  if (range && range.to) data.to = range.to;
  return request({ url: `/terms/${termId}/calendar`, data, ...options });
}

/**
 * POST /terms/{id}/calendar/changes {date, kind: cancel | add, reason, follows_weekday?} → the day (DayOut).
 * Changing a day back to what the calendar says anyway undoes the change. Refusals: DAY_ALREADY_SO,
 * DATE_OUTSIDE_TERM, DAY_CHANGED_CONCURRENTLY (409), VALIDATION_ERROR (`fields.reason`…).
 */
function changeDay(termId, { date, kind, reason, followsWeekday }, options = {}) {
  const data = { date, kind, reason };
  if (kind === 'add' && followsWeekday) data.follows_weekday = followsWeekday;
  return request({ url: `/terms/${termId}/calendar/changes`, method: 'POST', data, idempotent: true, ...options });
}

/** DELETE /calendar-changes/{id} → 204: the day is as the calendar says again. */
function undoChange(changeId, options = {}) {
  return request({ url: `/calendar-changes/${changeId}`, method: 'DELETE', idempotent: true, ...options });
}

/**
 * GET /schools/{id}/rules → {school_id, service_on_makeup_days, group_max, class_keeps_group_at,
 * children_per_tutor, absence_alert_minutes, leave_cutoff} (any staff of the school).
 */
function getRules(schoolId, options = {}) {
  return request({ url: `/schools/${schoolId}/rules`, ...options });
}

/** PUT /schools/{id}/rules (admin) with every setting (RulesIn) → the saved rules. */
function saveRules(schoolId, rules, options = {}) {
  return request({ url: `/schools/${schoolId}/rules`, method: 'PUT', data: rules, idempotent: true, ...options });
}

// ---------- the rules form ----------

/** The server's rules as the form holds them (numbers as the text typed). */
function rulesForm(rules) {
  const form = { service_on_makeup_days: Boolean(rules.service_on_makeup_days), leave_cutoff: rules.leave_cutoff || '' };
  Object.keys(RULE_LIMITS).forEach((key) => {
    form[key] = rules[key] === undefined || rules[key] === null ? '' : String(rules[key]);
  });
  return form;
}

/**
 * The form → {payload} (RulesIn) or {errors} keyed by field, checked as the server checks: whole numbers in
 * range, 单独成班人数 not above 临时班人数上限, the cut-off as HH:MM.
 */
function checkRules(form) {
  const errors = {};
  const payload = { service_on_makeup_days: Boolean(form.service_on_makeup_days) };
  Object.keys(RULE_LIMITS).forEach((key) => {
    const { label, min, max } = RULE_LIMITS[key];
    const text = String(form[key] == null ? '' : form[key]).trim();
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (text === '') errors[key] = `请填写${label}`;
    else if (Number.isNaN(value) || value < min || value > max) errors[key] = `${label}应为 ${min}–${max} 的整数`;
    else payload[key] = value;
  });
  if (!errors.group_max && !errors.class_keeps_group_at && payload.class_keeps_group_at > payload.group_max) {
    errors.class_keeps_group_at = '单独成班人数不能超过临时班人数上限';
  }
  const cutoff = String(form.leave_cutoff || '');
  if (!CUTOFF_RE.test(cutoff)) errors.leave_cutoff = '请选择请假截止时间';
  else payload.leave_cutoff = cutoff;
  if (Object.keys(errors).length) return { errors };
  return { payload };
}

module.exports = {
  KIND_LABELS,
  KIND_TAGS,
  RULE_FIELDS,
  monthOf,
  addMonths,
  monthLabel,
  monthRange,
  startMonth,
  monthWeeks,
  timetableRows,
  termCalendar,
  changeDay,
  undoChange,
  getRules,
  saveRules,
  rulesForm,
  checkRules,
};
