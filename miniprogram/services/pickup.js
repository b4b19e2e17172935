/**
 * 放学接送 (the safe handoff at the gate), over services/request.js. The backend is app/pickup/ (docs/pickup.md);
 * the code on the guardian's phone is utils/pickup-code.js (docs/pickup-code.md).
 *
 *   the guardian's (and a delegate's) phone: register / list / revoke devices, today's children, delegates
 *     (name, list, revoke, accept an invitation, the ones I accepted);
 *   the teacher's (and the guard's): verify a scanned code, release to its adult, the manual fallback (the child's
 *     adults, a release with a note), walk-home children, late children, the duty leader's board and 清校.
 *
 * Releases, walk-home and 清校 are idempotent (`idempotent: true`): one Idempotency-Key for the call and every retry,
 * so a release resent after the signal dropped at the gate is written once. A page may keep the key across taps
 * (`idempotencyKey`): tapping 确认接走 again after no answer came sends the same request under the same key and gets
 * the first answer, not a refusal that the child is gone. Verify changes nothing, so it is retried like a GET.
 *
 * Staff routes that act on one school take `school_id` in the query (needed only by someone working at two schools).
 * Every function takes request options last (`{toast: false}` to handle errors on the page).
 * Also the wording the pages share: who an adult is, what a release says, a status's tone.
 */
const { request, upload } = require('./request');
const { photoSrc, initial } = require('./attendance');

// ChildStatus (app/pickup/schemas.py) → how a card looks: ready is the one that can go.
const STATUS_TONES = {
  ready: 'ok', released: 'done', on_leave: 'muted', not_in_care: 'muted', not_authorised: 'danger',
};
// Who may use each staff page (the routes' roles, app/pickup/router.py).
const RELEASER_ROLES = ['teacher', 'class_head', 'duty_leader', 'guard', 'admin'];
const WALK_HOME_ROLES = ['teacher', 'class_head', 'duty_leader', 'admin'];
const BOARD_ROLES = ['duty_leader', 'guard', 'admin'];
const CLEARANCE_ROLES = ['duty_leader', 'admin'];
// A child still here after the bell (ChildOut.late, LateChildOut.stage).
const LATE_LABELS = { late: '超时未接', with_guard: '门卫看护中' };

/** '?school_id=3' for a staff route when a school is given, else ''. */
function schoolQuery(schoolId) {
  return schoolId ? `?school_id=${encodeURIComponent(String(schoolId))}` : '';
}

/** A staff list's query: the date (default today on the server) and the school. */
function dayQuery({ date, schoolId, ...rest } = {}) {
  const data = { ...rest };
  if (date) data.date = date;
  if (schoolId) data.school_id = schoolId;
  return Object.keys(data).length ? data : undefined;
}

// ---------- the phone ----------

/** POST /pickup/devices {label} → {device_id, secret, step_seconds, max_age_seconds, server_time, prefix}. */
function registerDevice(label, options = {}) {
  return request({ url: '/pickup/devices', method: 'POST', data: { label: label || '' }, ...options });
}

/** GET /pickup/devices → [{id, label, created_at, revoked_at}], newest first. */
function listDevices(options = {}) {
  return request({ url: '/pickup/devices', ...options });
}

/** DELETE /pickup/devices: 手机丢了 — every phone of the account stops making valid codes (204). */
function revokeDevices(options = {}) {
  return request({ url: '/pickup/devices', method: 'DELETE', idempotent: true, ...options });
}

/** GET /pickup/today → [TodayChildOut]: each child this account may take today, status, place, end time, release. */
function today(options = {}) {
  return request({ url: '/pickup/today', ...options });
}

/**
 * POST /pickup/my-photo, multipart field `file` (a JPG or PNG from wx.chooseMedia; POST because wx.uploadFile cannot
 * PUT) → {photo_url}: the guardian's own photo, shown to the teacher who scans their code. Guardians only (403 for a
 * delegate). 415 PHOTO_NOT_IMAGE, 413 PHOTO_TOO_LARGE. Sent again as it is (it replaces the photo): no key.
 */
function uploadMyPhoto(filePath, options = {}) {
  return upload({ url: '/pickup/my-photo', filePath, name: 'file', ...options });
}

/** DELETE /pickup/my-photo → 204: the guardian's photo is gone (a repeat is harmless). */
function deleteMyPhoto(options = {}) {
  return request({ url: '/pickup/my-photo', method: 'DELETE', idempotent: true, ...options });
}

/** GET /pickup/my-photo → {photo_url}: a fresh signed link to the guardian's own photo, null when there is none. */
function myPhoto(options = {}) {
  return request({ url: '/pickup/my-photo', ...options });
}

// The link of the photo this phone last uploaded, kept so 接送码 can show it offline.
const MY_PHOTO_KEY = 'kehou.myPhoto';

/** The kept link of the guardian's own photo ('' when none). */
function keptMyPhoto() {
  try {
    return wx.getStorageSync(MY_PHOTO_KEY) || '';
  } catch (e) {
    return '';
  }
}

/** Keep (or with '' forget) the link of the guardian's own photo: after an upload, a deletion, a withdrawn consent. */
function keepMyPhoto(url) {
  try {
    if (url) wx.setStorageSync(MY_PHOTO_KEY, url);
    else wx.removeStorageSync(MY_PHOTO_KEY);
  } catch (e) {
    // storage full: the photo is on the server all the same
  }
}

// ---------- delegates (临时授权) ----------

/**
 * POST /pickup/delegates {student_id, name, phone, relation, from, to} → DelegateOut with the one-time invite_code
 * and invite_path (shown once: the server keeps only its hash; a retry under the same key replays it).
 */
function createDelegate({ studentId, name, phone, relation, from, to }, options = {}) {
  return request({
    url: '/pickup/delegates',
    method: 'POST',
    data: { student_id: studentId, name, phone, relation, from, to },
    idempotent: true,
    ...options,
  });
}

/** GET /pickup/delegates?student_id= → [DelegateOut] (any status), newest first. */
function listDelegates(studentId, options = {}) {
  return request({ url: '/pickup/delegates', data: { student_id: studentId }, ...options });
}

/** DELETE /pickup/delegates/{id} → the DelegateOut, revoked (at once). */
function revokeDelegate(delegateId, options = {}) {
  return request({ url: `/pickup/delegates/${delegateId}`, method: 'DELETE', idempotent: true, ...options });
}

/** POST /pickup/delegates/accept {invite_code, phone} → the DelegateOut, now bound to this account. */
function acceptDelegation(inviteCode, phone, options = {}) {
  return request({
    url: '/pickup/delegates/accept',
    method: 'POST',
    data: { invite_code: inviteCode, phone },
    idempotent: true,
    ...options,
  });
}

/** GET /pickup/my-delegations → [DelegateOut] this account accepted. */
function myDelegations(options = {}) {
  return request({ url: '/pickup/my-delegations', ...options });
}

// ---------- at the gate ----------

/** POST /pickup/verify {code} → {adult, children: [ChildOut], code_age_seconds}. Changes nothing: retried like a GET. */
function verify(code, options = {}) {
  return request({ url: '/pickup/verify', method: 'POST', data: { code }, retry: true, ...options });
}

/**
 * POST /pickup/handoffs {code, student_ids, note?} → {released: [ReleaseOut]}; all or nothing: 409 PICKUP_REFUSED
 * with `errors: [{student_id, name, code, message}]`, or PICKUP_CODE_USED / _EXPIRED / _REVOKED / _INVALID.
 */
function release({ code, studentIds, note }, options = {}) {
  const data = { code, student_ids: studentIds };
  if (note) data.note = note;
  return request({ url: '/pickup/handoffs', method: 'POST', data, idempotent: true, ...options });
}

/** GET /pickup/students/{id}/adults → {child: ChildOut, adults: [PickupAdultOut]} (the manual fallback). */
function childAdults(studentId, options = {}) {
  return request({ url: `/pickup/students/${studentId}/adults`, ...options });
}

/** POST /pickup/handoffs/manual {student_id, guardian_id | delegate_id, note} → ReleaseOut. */
function releaseManually({ studentId, adult, note }, options = {}) {
  const data = { student_id: studentId, note };
  if (adult.kind === 'delegate') data.delegate_id = adult.delegate_id;
  else data.guardian_id = adult.guardian_id;
  return request({ url: '/pickup/handoffs/manual', method: 'POST', data, idempotent: true, ...options });
}

/** GET /pickup/walk-home?date=&school_id= → [WalkHomeChildOut]: statement, end time, may_leave_now, released. */
function walkHome(query = {}, options = {}) {
  return request({ url: '/pickup/walk-home', data: dayQuery(query), ...options });
}

/** POST /pickup/walk-home {student_ids} → {released: [ReleaseOut]}; all or nothing (409 PICKUP_REFUSED + errors). */
function releaseWalkingHome(studentIds, { schoolId } = {}, options = {}) {
  return request({
    url: `/pickup/walk-home${schoolQuery(schoolId)}`,
    method: 'POST',
    data: { student_ids: studentIds },
    idempotent: true,
    ...options,
  });
}

/** GET /pickup/late?date=&stage=&school_id= → [LateChildOut] with each child's guardians' phones. */
function lateChildren(query = {}, options = {}) {
  return request({ url: '/pickup/late', data: dayQuery(query), ...options });
}

/** GET /pickup/board?date=&school_id= → BoardOut: totals, by grade, by group, who is still here, the clearance. */
function board(query = {}, options = {}) {
  return request({ url: '/pickup/board', data: dayQuery(query), ...options });
}

/** POST /pickup/clearance → ClearanceOut; 409 SCHOOL_NOT_CLEAR with `errors` naming each child still here. */
function clearSchool({ schoolId } = {}, options = {}) {
  return request({ url: `/pickup/clearance${schoolQuery(schoolId)}`, method: 'POST', idempotent: true, ...options });
}

// ---------- wording ----------

/** '李娜', '母亲' → '李娜（母亲）'; without a relation just the name. */
function personText(name, relation) {
  return relation ? `${name}（${relation}）` : (name || '');
}

/** '妈妈（李娜）' → '妈妈': who granted a delegation, as the teacher says it. */
function granterCall(authorisedBy) {
  return String(authorisedBy || '').split('（')[0];
}

/**
 * The adult of a scanned code, as the teacher reads it: '李娜（母亲）', or for a delegate
 * '临时授权：张三（姑姑），由妈妈授权'.
 */
function adultLine(adult) {
  if (!adult) return '';
  const who = personText(adult.name, adult.relation);
  if (adult.kind !== 'delegate') return who;
  const by = granterCall(adult.authorised_by);
  return `临时授权：${who}${by ? `，由${by}授权` : ''}`;
}

/** A delegate's details under the headline: '授权人：妈妈（李娜） · 有效期至 11月27日'. */
function delegationDetail(adult) {
  if (!adult || adult.kind !== 'delegate') return '';
  const parts = [];
  if (adult.authorised_by) parts.push(`授权人：${adult.authorised_by}`);
  if (adult.valid_to) parts.push(`有效期至 ${monthDay(adult.valid_to)}`);
  return parts.join(' · ');
}

/** '2026-11-27' → '11月27日'. */
function monthDay(date) {
  const [, m, d] = String(date).split('-').map(Number);
  return m && d ? `${m}月${d}日` : String(date || '');
}

/** A release as the teacher's confirmation says it: '已交给 李娜（母亲） 17:23'; walk-home: '17:31 自行回家'. */
function handedText(released) {
  if (!released) return '';
  if (released.method === 'walk_home') return `${released.released_time} 自行回家`;
  return `已交给 ${personText(released.adult_name, released.relation)} ${released.released_time}`;
}

function statusTone(status) {
  return STATUS_TONES[status] || 'muted';
}

/** The per-child refusals of a 409 (PICKUP_REFUSED, SCHOOL_NOT_CLEAR) by student id; {} when there are none. */
function refusalsById(err) {
  const byId = {};
  ((err && err.errors) || []).forEach((e) => {
    if (e && e.student_id) byId[e.student_id] = e.message;
  });
  return byId;
}

/** The invitation's page for onShareAppMessage: the server's invite_path with a leading '/'. */
function sharePath(invitePath) {
  const path = String(invitePath || '');
  return path && path.charAt(0) !== '/' ? `/${path}` : path;
}

/**
 * A child as the pickup pages' cards show them (ChildOut, TodayChildOut, WalkHomeChildOut, LateChildOut): photo or
 * the name's first character, class, where now, end time, status and its tone, and the release or the reason.
 */
function childCard(child) {
  const released = child.released || null;
  return {
    id: child.student_id,
    name: child.name,
    className: child.class_name || '',
    photo: photoSrc(child.photo_url),
    initial: initial(child.name),
    place: child.place || '',
    endTime: child.end_time || '',
    where: [child.place, child.end_time ? `${child.end_time} 放学` : ''].filter(Boolean).join(' · '),
    status: child.status || '',
    statusLabel: child.status_label || '',
    tone: statusTone(child.status),
    ready: child.status === 'ready',
    detail: released ? released.summary : (child.reason || ''),
    lateLabel: released ? '' : (LATE_LABELS[child.late || child.stage] || ''),
  };
}

module.exports = {
  RELEASER_ROLES,
  WALK_HOME_ROLES,
  BOARD_ROLES,
  CLEARANCE_ROLES,
  registerDevice,
  listDevices,
  revokeDevices,
  today,
  uploadMyPhoto,
  deleteMyPhoto,
  myPhoto,
  keptMyPhoto,
  keepMyPhoto,
  createDelegate,
  listDelegates,
  revokeDelegate,
  acceptDelegation,
  myDelegations,
  verify,
  release,
  childAdults,
  releaseManually,
  walkHome,
  releaseWalkingHome,
  lateChildren,
  board,
  clearSchool,
  personText,
  granterCall,
  adultLine,
  delegationDetail,
  monthDay,
  handedText,
  statusTone,
  refusalsById,
  sharePath,
  childCard,
};
