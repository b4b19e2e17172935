/**
 * 个人信息保护 (docs/privacy.md): the 儿童个人信息处理规则, a guardian's separate consent per child and scope, and the
 * export of everything Kehou holds about a child.
 */
const { request, download } = require('./request');

// The scopes in the order the rules and the pages list them.
const SCOPES = ['roster', 'photo', 'notifications'];
const SCOPE_LABELS = { roster: '花名册与课后服务信息', photo: '照片', notifications: '消息通知' };
// What each scope is for, in a line (the bind page's checkboxes, 我的 → 隐私与授权).
const SCOPE_HINTS = {
  roster: '绑定孩子所必需：办理申请、点名、请假和放学接送',
  photo: '可选：放学时老师对照照片核对接送人和孩子',
  notifications: '可选：通过微信通知孩子的到校、请假、选课等情况（安全提醒始终发送）',
};
const STATUS_LABELS = { given: '已同意', stale: '待确认新版本', withdrawn: '已撤回', none: '未同意' };
// What a withdrawal does, said before it is done.
const WITHDRAW_WARNINGS = {
  roster: '撤回后将解除您在该校与孩子的绑定（同一学校的其他孩子也一并解除），照片同时删除。之后如需使用，请重新绑定。',
  photo: '撤回后，孩子的照片立即删除；您在该校不再同意任何孩子的照片时，您本人的接送照片也一并删除。放学时老师将只核对姓名。',
  notifications: '撤回后，学校不再通过微信向您发送一般通知（仍可在「消息」中查看）；接走、超时、未到和突发情况等安全提醒仍会发送。',
};

/**
 * GET /privacy/rules → {version, title, effective_from, current_version, is_current, school_name, markdown,
 * sections: [{title, lines: [{text, item}]}], scopes: [{scope, label, required}], versions: [...]}. Public.
 */
function rules({ version, schoolId } = {}, options = {}) {
  const data = {};
  if (version) data.version = version;
  if (schoolId) data.school_id = schoolId;
  return request({ url: '/privacy/rules', data, ...options });
}

/** GET /privacy/consents → per child: {student_id, student_name, school_name, rules_version, needed, scopes: [...]} */
function consents(options = {}) {
  return request({ url: '/privacy/consents', ...options });
}

/** POST /privacy/consents: agree to the current version's `scopes` for a child (agreeing twice records once). */
function giveConsent(studentId, version, scopes, options = {}) {
  return request({
    url: '/privacy/consents', method: 'POST', data: { student_id: studentId, version, scopes }, idempotent: true, ...options,
  });
}

/** POST /privacy/consents/withdraw: withdraw `scopes` for a child (withdrawing twice changes nothing more). */
function withdraw(studentId, scopes, options = {}) {
  return request({
    url: '/privacy/consents/withdraw', method: 'POST', data: { student_id: studentId, scopes }, idempotent: true, ...options,
  });
}

/** GET /students/{id}/data-export (application/zip) into a temporary file → {tempFilePath}. */
function exportChildData(studentId, options = {}) {
  return download({ url: `/students/${studentId}/data-export`, ...options });
}

/** A child's consents as 我的 shows them: each scope with its label, state and what may be done now; photoConsent. */
function childView(child) {
  const scopes = (child.scopes || []).map((s) => ({
    scope: s.scope,
    label: SCOPE_LABELS[s.scope] || s.label,
    hint: SCOPE_HINTS[s.scope] || '',
    status: s.status,
    statusText: STATUS_LABELS[s.status] || s.status,
    // given: may be withdrawn; otherwise (stale, withdrawn, none) may be agreed to now
    canWithdraw: s.status === 'given' || s.status === 'stale',
    canGive: s.status !== 'given',
  }));
  return {
    id: child.student_id,
    name: child.student_name,
    schoolName: child.school_name,
    schoolId: child.school_id,
    version: child.rules_version,
    needed: Boolean(child.needed),
    // the child's photo may be uploaded (by this guardian) only with 照片 agreed to the current version
    photoConsent: scopes.some((s) => s.scope === 'photo' && s.status === 'given'),
    scopes,
  };
}

/** The file name an export is kept under: 孩子数据-李小明-2026-11-23.zip */
function exportFileName(childName, day) {
  const safe = String(childName || '孩子').replace(/[\\/:*?"<>|\s]/g, '');
  return `孩子数据-${safe}-${day}.zip`;
}

module.exports = {
  SCOPES, SCOPE_LABELS, SCOPE_HINTS, STATUS_LABELS, WITHDRAW_WARNINGS,
  rules, consents, giveConsent, withdraw, exportChildData, childView, exportFileName,
};
