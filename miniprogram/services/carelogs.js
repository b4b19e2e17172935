/**
 * 看护记录 (a session's care log), over services/request.js. The backend is app/carelogs/: each save is a new
 * version, the old ones are kept (the record a school shows an inspector).
 *
 * Saving is idempotent (`idempotent: true`; a page keeps the key across taps): a save resent after no answer came
 * makes one version, not two. Every function takes request options last (`{toast: false}` to handle errors on the page).
 */
const { request } = require('./request');
const { formatRecent } = require('../utils/format');

// CareLogIn.activities (app/carelogs/schemas.py), in the order the chips show them.
const ACTIVITIES = [
  { key: 'homework', label: '作业辅导' },
  { key: 'reading', label: '阅读' },
  { key: 'activity', label: '活动' },
  { key: 'club', label: '社团' },
  { key: 'other', label: '其他' },
];
// Who may write one: the session's teachers, or an admin (the server checks; the page says so beforehand).
const WRITER_ROLES = ['admin'];
const MAX_SUMMARY = 2000;
const MAX_NOTE = 300;

/** GET /sessions/{id}/care-log → {current: CareLogOut | null, versions: [CareLogOut], earliest first}. */
function careLog(sessionId, options = {}) {
  return request({ url: `/sessions/${sessionId}/care-log`, ...options });
}

/**
 * PUT /sessions/{id}/care-log {activities, summary, child_notes: [{student_id, note}], unusual?} → the history with
 * the new version. 403 for someone not teaching the session, 409 CARE_LOG_CHANGED when another teacher saved first,
 * DATE_IN_FUTURE.
 */
function saveCareLog(sessionId, { activities, summary, childNotes, unusual }, options = {}) {
  const data = { activities, summary, child_notes: childNotes || [] };
  if (unusual) data.unusual = unusual;
  return request({ url: `/sessions/${sessionId}/care-log`, method: 'PUT', data, idempotent: true, ...options });
}

/**
 * The form's local checks, as CareLogIn: at least one activity, a summary, a note for each child picked.
 * → {payload} or {errors: {activities?, summary?, notes?}}.
 */
function checkCareLog(form) {
  const errors = {};
  const summary = String(form.summary || '').trim();
  if (!form.activities.length) errors.activities = '请至少选择一项活动';
  if (!summary) errors.summary = '请写下孩子们今天做了什么';
  const notes = form.notes.map((n) => ({ student_id: n.id, note: String(n.note || '').trim() }));
  const blank = form.notes.filter((n, i) => !notes[i].note);
  if (blank.length) errors.notes = `请填写${blank.map((n) => n.name).join('、')}的备注，或移除`;
  if (Object.keys(errors).length) return { errors };
  return {
    payload: {
      activities: form.activities.slice(),
      summary,
      childNotes: notes,
      unusual: String(form.unusual || '').trim(),
    },
  };
}

/** A saved version as the history shows it. */
function versionView(v) {
  return {
    version: v.version,
    title: `第 ${v.version} 版`,
    meta: `${v.written_by} · ${formatRecent(v.written_at)}`,
    activitiesText: (v.activity_labels || []).join('、'),
    summary: v.summary,
    notes: (v.child_notes || []).map((n) => ({ id: n.student_id, text: `${n.name}：${n.note}` })),
    unusual: v.unusual || '',
  };
}

/** The form filled from the current version (an amendment starts from what was saved), or empty. */
function formFrom(current, names = {}) {
  if (!current) return { activities: [], summary: '', notes: [], unusual: '' };
  return {
    activities: current.activities.slice(),
    summary: current.summary,
    notes: current.child_notes.map((n) => ({ id: n.student_id, name: n.name || names[n.student_id] || '', note: n.note })),
    unusual: current.unusual || '',
  };
}

module.exports = {
  ACTIVITIES,
  WRITER_ROLES,
  MAX_SUMMARY,
  MAX_NOTE,
  careLog,
  saveCareLog,
  checkCareLog,
  versionView,
  formFrom,
};
