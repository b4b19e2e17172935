/**
 * Term applications and consent (申请与协议), over services/request.js.
 *
 * 服务内容公示 → 家长申请 → 班级审核 → 教导处审定 → 签订协议. Every mutation is sent with
 * `idempotent: true`: the request carries one Idempotency-Key for all its retries, so a lost answer
 * retried never applies, signs or approves twice. Every function takes request options last
 * (`{toast: false}` to handle errors on the page).
 *
 * Also the Chinese labels the enrollment pages share, and how they show an application (applicationFacts);
 * dates and weekdays: utils/format.js; terms: services/terms.js; role names: utils/roles.js.
 */
const { request } = require('./request');
const { formatTime, weekdaysText } = require('../utils/format');

// ---------- labels ----------

const STATUS_LABELS = {
  none: '尚未申请',
  submitted: '待班主任审核',
  class_approved: '待教导处审定',
  approved: '已通过',
  rejected: '未通过',
  withdrawn: '已退出',
  declined: '不参加',
};

const PICKUP_LABELS = {
  guardian: '家长接送',
  delegate: '委托他人接送',
  self: '自行回家',
};

// The six priority groups (优先保障), in the order schools list them.
const PRIORITY_LABELS = {
  disabled: '残疾儿童',
  left_behind: '留守儿童',
  migrant: '进城务工随迁子女',
  low_income: '家庭经济困难',
  single_parent: '单亲家庭',
  dual_working: '双职工家庭',
};

const ACTION_LABELS = {
  apply: '提交申请',
  edit: '修改申请',
  resubmit: '修改后重新提交',
  class_approve: '班主任审核通过',
  class_reject: '班主任退回',
  approve: '教导处审定通过',
  reject: '教导处审定未通过',
  withdraw: '退出',
  decline: '选择不参加',
  sign: '签署协议',
};

// States in which the guardian may sign (the server refuses others with APPLICATION_STATE).
const SIGNABLE = ['submitted', 'class_approved', 'approved'];

/** Whether the guardian still has to sign the current plan's agreement for this application. */
function needsSignature(app, plan) {
  if (!app || !plan || SIGNABLE.indexOf(app.status) < 0) return false;
  return !app.signature || app.signature.plan_version !== plan.version;
}

function statusLabel(status) {
  return STATUS_LABELS[status || 'none'] || status;
}

function pickupLabel(mode) {
  return PICKUP_LABELS[mode] || mode || '';
}

function priorityLabel(key) {
  return PRIORITY_LABELS[key] || key;
}

function actionLabel(action) {
  return ACTION_LABELS[action] || action;
}

/** 30000 → "300"; 12345 → "123.45" (yuan). */
function yuan(cents) {
  const value = Number(cents || 0) / 100;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * What the pages show of an application (ApplicationOut), in Chinese and school time: who, the days, the
 * pickup (with the written statement only for 自行回家), the priority groups the server recognises, the
 * note, when it was submitted and whether the agreement is signed.
 */
function applicationFacts(app) {
  return {
    id: app.id,
    studentName: app.student_name,
    className: app.class_name,
    weekdaysText: weekdaysText(app.weekdays),
    pickupText: pickupLabel(app.pickup_mode),
    selfStatement: app.pickup_mode === 'self' ? app.self_statement || '' : '',
    priorities: (app.priority || []).map(priorityLabel),
    note: app.note || '',
    submittedAt: formatTime(app.submitted_at, true),
    signed: Boolean(app.signature),
  };
}

// ---------- the plan (公示) ----------

/**
 * GET /terms/{id}/plan → the published plan: {id, term_id, version, weekdays, end_times {low, mid, high},
 * winter?, homework_minutes, content[], fee_cents, fee_period, term_fee_cents, waiver_rules,
 * safety_measures, agreement_title, agreement_text, agreement_hash, capacity, published_at}.
 * 404 PLAN_NOT_PUBLISHED when nothing is published yet.
 */
function getPlan(termId, options = {}) {
  return request({ url: `/terms/${termId}/plan`, ...options });
}

// ---------- guardians ----------

/** GET /applications?term_id= → my children's applications (ApplicationOut[]) */
function myApplications(termId, options = {}) {
  return request({ url: '/applications', data: termId ? { term_id: termId } : undefined, ...options });
}

/** GET /applications/{id}/history → [{action, from_status, to_status, actor_name, actor_role, comment, at}] */
function history(applicationId, options = {}) {
  return request({ url: `/applications/${applicationId}/history`, ...options });
}

/** The form's answers as the API's fields (the body of an application and of its edit). */
function answers(form) {
  return {
    weekdays: form.weekdays,
    pickup_mode: form.pickupMode,
    self_statement: form.selfStatement || null,
    priority_claims: form.priorityClaims || [],
    note: form.note || null,
  };
}

/**
 * POST /applications — apply (from no answer, withdrawn or declined).
 * form: {studentId, termId, weekdays, pickupMode, selfStatement, priorityClaims, note}
 */
function apply(form, options = {}) {
  return request({
    url: '/applications',
    method: 'POST',
    data: { student_id: form.studentId, term_id: form.termId, ...answers(form) },
    idempotent: true,
    ...options,
  });
}

/** PATCH /applications/{id} — edit a submitted application, or correct a rejected one (resubmits it). */
function editApplication(applicationId, form, options = {}) {
  return request({
    url: `/applications/${applicationId}`, method: 'PATCH', data: answers(form), idempotent: true, ...options,
  });
}

/**
 * POST /applications/{id}/sign {plan_version, text_hash?, client?}: the version the guardian was shown.
 * 409 AGREEMENT_OUTDATED (a newer version is published) / AGREEMENT_TEXT_MISMATCH.
 */
function sign(applicationId, { planVersion, textHash, client }, options = {}) {
  const data = { plan_version: planVersion };
  if (textHash) data.text_hash = textHash;
  if (client) data.client = client;
  return request({ url: `/applications/${applicationId}/sign`, method: 'POST', data, idempotent: true, ...options });
}

/** POST /applications/{id}/withdraw {reason?} */
function withdraw(applicationId, reason, options = {}) {
  return request({
    url: `/applications/${applicationId}/withdraw`,
    method: 'POST',
    data: { reason: reason || null },
    idempotent: true,
    ...options,
  });
}

/** POST /applications/decline {student_id, term_id, reason?} — 不参加 (may be reversed by applying). */
function decline({ studentId, termId, reason }, options = {}) {
  return request({
    url: '/applications/decline',
    method: 'POST',
    data: { student_id: studentId, term_id: termId, reason: reason || null },
    idempotent: true,
    ...options,
  });
}

// ---------- reviewers ----------

/** Children of the caller's classes (admins: the school) with no answer yet for the term. */
function notResponded(termId, options = {}) {
  return request({ url: `/terms/${termId}/applications/not-responded`, ...options });
}

/**
 * GET /terms/{id}/applications?status=&class_id= (class heads get only the classes they head).
 * `status` '' or undefined = every status.
 */
function listApplications(termId, { status, classId } = {}, options = {}) {
  const data = {};
  if (status) data.status = status;
  if (classId) data.class_id = classId;
  return request({ url: `/terms/${termId}/applications`, data, ...options });
}

/** GET /terms/{id}/applications/queue (admin): class-approved applications in approval order. */
function waitingQueue(termId, options = {}) {
  return request({ url: `/terms/${termId}/applications/queue`, ...options });
}

/** POST /applications/{id}/review {decision: approve|reject, comment} — a rejection needs a comment. */
function review(applicationId, { decision, comment }, options = {}) {
  return request({
    url: `/applications/${applicationId}/review`,
    method: 'POST',
    data: { decision, comment: comment || null },
    idempotent: true,
    ...options,
  });
}

/** POST /terms/{id}/applications/bulk-approve (admin only) → [{application_id, ok, status?, code?, message?}] */
function bulkApprove(termId, applicationIds, comment, options = {}) {
  const data = { application_ids: applicationIds };
  if (comment) data.comment = comment;
  return request({
    url: `/terms/${termId}/applications/bulk-approve`,
    method: 'POST',
    data,
    idempotent: true,
    ...options,
  });
}

/** GET /terms/{id}/applications/summary (admin) → {eligible, by_status, participation_rate, by_grade, …} */
function summary(termId, options = {}) {
  return request({ url: `/terms/${termId}/applications/summary`, ...options });
}

module.exports = {
  STATUS_LABELS,
  PRIORITY_LABELS,
  SIGNABLE,
  needsSignature,
  statusLabel,
  pickupLabel,
  priorityLabel,
  actionLabel,
  yuan,
  applicationFacts,
  getPlan,
  myApplications,
  history,
  apply,
  editApplication,
  sign,
  withdraw,
  decline,
  listApplications,
  notResponded,
  waitingQueue,
  review,
  bulkApprove,
  summary,
};
