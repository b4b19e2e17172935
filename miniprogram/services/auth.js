/** Who am I: WeChat login and the account's roles, schools and children. */
const { request, login, logout } = require('./request');

/**
 * GET /me → {account_id, name, roles: [...], schools: [{id, name, roles}], children: [{id, name,
 * school_id, school_name, class_name, relation}]}
 */
function me(options = {}) {
  return request({ url: '/me', ...options });
}

module.exports = { login, logout, me };
