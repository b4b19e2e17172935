/** Guardian actions. */
const { request } = require('./request');

/**
 * Bind the current WeChat account to a child on the school's roll (学号 + 姓名 + 家长手机号), with the guardian's
 * consent to the processing rules: `consent` {version, scopes} (services/privacy.js; scopes must include 'roster').
 * POST /guardians/bind → {student: {id, name, class_name, school_name}, relation}
 * Errors: CONSENT_REQUIRED (422), CONSENT_VERSION_STALE (409, the rules changed), BIND_NOT_MATCHED (400),
 * GUARDIAN_ALREADY_BOUND (409), BIND_RATE_LIMITED (429), VALIDATION_ERROR (422, with `fields`).
 */
function bindChild({ studentNo, studentName, phone, consent }, options = {}) {
  return request({
    url: '/guardians/bind',
    method: 'POST',
    data: { student_no: studentNo, student_name: studentName, phone, consent },
    // binding twice binds once, so a retry after a lost answer is harmless
    idempotent: true,
    ...options,
  });
}

module.exports = { bindChild };
