/**
 * 突发情况与处理 (incidents), over services/request.js. The backend is app/incidents/: a report as first written
 * never changes; follow-ups, corrections and the closing are appended to it. Reporting tells the guardians of the
 * children involved (only theirs) and the day's duty leader at once; a missing child alerts everyone on duty.
 *
 * Reports and entries are idempotent (`idempotent: true`; a page keeps the key across taps): resent after no answer
 * came, they are written once. Staff routes that act on one school take `school_id` in the query.
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 */
const { request } = require('./request');
const { addDays } = require('./attendance');
const { formatRecent, formatTime, shanghaiToday } = require('../utils/format');

// IncidentIn.type and .severity (app/incidents/schemas.py, models.py), as the form offers them.
const TYPES = [
  { key: 'injury', label: '受伤' },
  { key: 'illness', label: '身体不适' },
  { key: 'conflict', label: '同学冲突' },
  { key: 'missing_child', label: '学生走失' },
  { key: 'property', label: '财物' },
  { key: 'other', label: '其他' },
];
const SEVERITIES = [
  { key: 'low', label: '轻微' },
  { key: 'medium', label: '一般' },
  { key: 'high', label: '严重' },
];
const MISSING_CHILD = 'missing_child';
// EntryIn.kind, as the detail page's actions say them.
const ENTRY_KINDS = [
  { key: 'follow_up', label: '跟进' },
  { key: 'correction', label: '更正' },
  { key: 'close', label: '结案' },
];
const ENTRY_LABELS = { follow_up: '跟进', correction: '更正', close: '结案' };
// The fields a correction may change (CorrectionFields), with their names.
const CORRECTABLE = [
  { key: 'severity', label: '程度' },
  { key: 'place', label: '地点' },
  { key: 'description', label: '经过' },
  { key: 'actions_taken', label: '已采取的措施' },
];
// Who may add entries (the route's Handlers); any staff may report and read.
const HANDLER_ROLES = ['duty_leader', 'admin', 'teacher', 'class_head'];
const REPORTER_ROLES = ['duty_leader', 'admin', 'teacher', 'class_head', 'guard'];
// The open ones are asked over a longer window than GET /incidents' default week, so an old open case still shows.
const OPEN_LOOKBACK_DAYS = 90;

function schoolQuery(schoolId) {
  return schoolId ? `?school_id=${encodeURIComponent(String(schoolId))}` : '';
}

// ---------- requests ----------

/** GET /incidents?status=&from=&to= → [IncidentOut], newest first (the server's default: the last 7 days). */
function list({ status, from, to, schoolId } = {}, options = {}) {
  const data = {};
  if (status) data.status = status;
  if (from) data.from = from;
  if (to) data.to = to;
  if (schoolId) data.school_id = schoolId;
  return request({ url: '/incidents', data: Object.keys(data).length ? data : undefined, ...options });
}

/** The incidents still open, from the last OPEN_LOOKBACK_DAYS days. */
function listOpen({ schoolId } = {}, options = {}) {
  const today = shanghaiToday();
  return list({ status: 'open', from: addDays(today, -OPEN_LOOKBACK_DAYS), to: today, schoolId }, options);
}

/** GET /incidents/{id} → IncidentOut with its entries and the original report. */
function get(id, options = {}) {
  return request({ url: `/incidents/${id}`, ...options });
}

/**
 * POST /incidents {type, severity, at?, place, student_ids, description, actions_taken} → IncidentOut (201).
 * MISSING_CHILD_UNNAMED (fields.student_ids), INCIDENT_IN_FUTURE, STUDENT_NOT_FOUND.
 */
function report({ type, severity, at, place, studentIds, description, actionsTaken }, { schoolId } = {}, options = {}) {
  const data = {
    type, severity, place, student_ids: studentIds || [], description, actions_taken: actionsTaken,
  };
  if (at) data.at = at;
  return request({ url: `/incidents${schoolQuery(schoolId)}`, method: 'POST', data, idempotent: true, ...options });
}

/**
 * POST /incidents/{id}/entries {kind: follow_up | correction | close, text, changes?} → the incident.
 * INCIDENT_CLOSED (409) for anything but a correction once closed.
 */
function addEntry(id, { kind, text, changes }, options = {}) {
  const data = { kind, text };
  if (kind === 'correction' && changes) data.changes = changes;
  return request({ url: `/incidents/${id}/entries`, method: 'POST', data, idempotent: true, ...options });
}

// ---------- wording ----------

function labelOf(list, key) {
  const found = list.find((item) => item.key === key);
  return found ? found.label : (key || '');
}

/** The children of an incident: '张小明（三年级2班）、李小华（三年级1班）'. */
function childrenText(children) {
  return (children || []).map((c) => (c.class_name ? `${c.name}（${c.class_name}）` : c.name)).join('、');
}

/** An incident as the list shows it. */
function listItem(i) {
  return {
    id: i.id,
    title: `${i.type_label} · ${i.severity_label}`,
    severity: i.severity,
    missing: i.type === MISSING_CHILD,
    when: formatRecent(i.at),
    place: i.place,
    childrenText: childrenText(i.children),
    open: i.status === 'open',
    statusLabel: i.status === 'open' ? '处理中' : '已结案',
    entries: (i.entries || []).length,
  };
}

/** What a correction changed: '地点：操场 → 篮球场'. */
function changeLines(changes, original) {
  return CORRECTABLE.filter((f) => changes && changes[f.key] !== undefined).map((f) => {
    const to = f.key === 'severity' ? labelOf(SEVERITIES, changes[f.key]) : changes[f.key];
    const from = original && original[f.key] !== undefined
      ? (f.key === 'severity' ? labelOf(SEVERITIES, original[f.key]) : original[f.key]) : '';
    return from ? `${f.label}：${from} → ${to}` : `${f.label}：${to}`;
  });
}

/**
 * The entries as the detail's timeline shows them, each correction with what it changed (from what the fields were
 * before it: the original, then each correction in turn).
 */
function entryViews(incident) {
  const state = { ...(incident.original || {}) };
  return (incident.entries || []).map((e) => {
    const lines = e.kind === 'correction' ? changeLines(e.changes, state) : [];
    if (e.kind === 'correction') Object.assign(state, e.changes || {});
    return {
      id: e.id,
      kind: e.kind,
      kindLabel: ENTRY_LABELS[e.kind] || e.kind,
      text: e.text,
      changes: lines,
      meta: `${e.written_by} · ${formatTime(e.written_at)}`,
    };
  });
}

/** The fields a correction form changed (only those that differ from the incident as it stands) → CorrectionFields. */
function changedFields(form, incident) {
  const changes = {};
  CORRECTABLE.forEach((f) => {
    const value = typeof form[f.key] === 'string' ? form[f.key].trim() : form[f.key];
    if (value && value !== incident[f.key]) changes[f.key] = value;
  });
  return changes;
}

module.exports = {
  TYPES,
  SEVERITIES,
  MISSING_CHILD,
  ENTRY_KINDS,
  ENTRY_LABELS,
  CORRECTABLE,
  HANDLER_ROLES,
  REPORTER_ROLES,
  OPEN_LOOKBACK_DAYS,
  list,
  listOpen,
  get,
  report,
  addEntry,
  labelOf,
  childrenText,
  listItem,
  changeLines,
  entryViews,
  changedFields,
};
