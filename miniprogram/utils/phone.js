/** Mobile phone numbers as people type them, checked as the server checks them (PHONE_PATTERN, app/people/schemas.py). */

const PHONE_RE = /^1\d{10}$/;

/** Phones are often typed or pasted as '138 0013 8000' or '+86-138…'; keep the digits. */
function normalisePhone(value) {
  let digits = String(value || '').replace(/\D/g, '');
  if (digits.length === 13 && digits.indexOf('86') === 0) digits = digits.slice(2);
  return digits;
}

/** '' when `phone` (normalised) is a mobile number, else what to say: empty → `emptyText`, else the format. */
function phoneProblem(phone, emptyText = '请输入手机号') {
  if (!phone) return emptyText;
  return PHONE_RE.test(phone) ? '' : '请输入 1 开头的 11 位手机号';
}

/** A number one can dial: the server masks guardians' numbers for most staff ('138****5678', docs/privacy.md). */
function isDialable(phone) {
  return PHONE_RE.test(String(phone || ''));
}

module.exports = { PHONE_RE, normalisePhone, phoneProblem, isDialable };
