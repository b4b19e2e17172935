/**
 * Wording and school time, shared by every page (课后服务 and 社团 alike).
 *
 * The API speaks UTC (ISO 8601); a school lives in Asia/Shanghai, UTC+8 all year (no daylight saving),
 * so school time is the UTC reading of the instant moved 8 hours on.
 */

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const GRADE_NAMES = ['', '一', '二', '三', '四', '五', '六'];

const SCHOOL_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
// ISO 8601 as the API sends it ("2025-03-05T09:23:00.123456Z"); parsed by hand because iOS's
// JavaScriptCore refuses fractional seconds longer than milliseconds.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** An API datetime → epoch ms (NaN when it is not one). A datetime without a zone is UTC, as the API means it. */
function parseTime(value) {
  const m = ISO_RE.exec(String(value || ''));
  if (!m) return NaN;
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0), Math.floor(ms));
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  return t;
}

/** A Date whose UTC fields (getUTCHours() …) read as school time at epoch ms `ms`. */
function schoolClock(ms) {
  return new Date(ms + SCHOOL_OFFSET_MS);
}

function dateText(d) {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function clockText(d) {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * An API datetime in school time: "2026-09-01T04:05:00Z" → "09-01 12:05", or with `withYear`
 * "2026-09-01 12:05". Nothing → ''; something unreadable is shown as it came.
 */
function formatTime(iso, withYear = false) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return iso ? String(iso) : '';
  const d = schoolClock(ms);
  const day = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clockText(d)}`;
  return withYear ? `${d.getUTCFullYear()}-${day}` : day;
}

/**
 * An API datetime as a list shows when something happened, in school time: "今天 17:23", "昨天 08:05",
 * "3月5日 17:23" this year, "2024年12月30日" before. '' when it is not a datetime.
 */
function formatRecent(iso, now = Date.now()) {
  const ms = parseTime(iso);
  if (Number.isNaN(ms)) return '';
  const local = schoolClock(ms);
  const today = schoolClock(now);
  const days = Math.floor(today.getTime() / DAY_MS) - Math.floor(local.getTime() / DAY_MS);
  if (days === 0) return `今天 ${clockText(local)}`;
  if (days === 1) return `昨天 ${clockText(local)}`;
  const monthDay = `${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
  if (local.getUTCFullYear() === today.getUTCFullYear()) return `${monthDay} ${clockText(local)}`;
  return `${local.getUTCFullYear()}年${monthDay}`;
}

/** Today at school as 'YYYY-MM-DD'. */
function shanghaiToday(now = Date.now()) {
  return dateText(schoolClock(now));
}

/** The time at school now as 'HH:MM'. */
function shanghaiClock(now = Date.now()) {
  return clockText(schoolClock(now));
}

/**
 * A school date and time ('2026-09-01', '12:00') as the ISO datetime the API wants, with the zone spelt
 * out: '2026-09-01T12:00:00+08:00'. '' when either part is missing.
 */
function shanghaiIso(date, time) {
  if (!date || !time) return '';
  return `${date}T${time}:00+08:00`;
}

/** Numbers as names, a run of three or more as 甲至乙: [1,2,3,4,5] → 周一至周五; [1,3] → 周一、周三. */
function rangeText(values, names) {
  const sorted = (values || []).slice().sort((a, b) => a - b);
  if (!sorted.length) return '';
  const consecutive = sorted.every((v, i) => i === 0 || v === sorted[i - 1] + 1);
  if (sorted.length >= 3 && consecutive) return `${names[sorted[0]]}至${names[sorted[sorted.length - 1]]}`;
  return sorted.map((v) => names[v]).join('、');
}

/** [1,3] → 周一、周三; [1,2,3,4,5] → 周一至周五. */
function weekdaysText(days) {
  return rangeText(days, WEEKDAY_NAMES);
}

/** [1,2] → 一、二年级; [3,4,5,6] → 三至六年级. */
function gradesText(grades) {
  const text = rangeText(grades, GRADE_NAMES);
  return text ? `${text}年级` : '';
}

module.exports = {
  WEEKDAY_NAMES,
  GRADE_NAMES,
  parseTime,
  formatTime,
  formatRecent,
  shanghaiToday,
  shanghaiClock,
  shanghaiIso,
  weekdaysText,
  gradesText,
};
