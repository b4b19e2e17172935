/**
 * The consent step's ticks, shared by pages/bind (binding a child) and pages/privacy-rules (agreeing to a new version):
 * one row per scope of the rules (GET /privacy/rules `scopes`), the required one (花名册与课后服务信息) marked, each
 * ticked separately (PIPL: separate consent).
 */
const { SCOPE_HINTS, SCOPE_LABELS } = require('../services/privacy');

/** The rows to show: [{scope, label, hint, required, checked}]. */
function scopeChoices(ruleScopes, checked) {
  return (ruleScopes || []).map((s) => ({
    scope: s.scope,
    label: SCOPE_LABELS[s.scope] || s.label,
    hint: SCOPE_HINTS[s.scope] || '',
    required: Boolean(s.required),
    checked: checked.indexOf(s.scope) >= 0,
  }));
}

/** The ticked scopes after a tap on `scope`, in the rules' order. */
function toggled(ruleScopes, checked, scope) {
  const on = checked.indexOf(scope) >= 0 ? checked.filter((s) => s !== scope) : checked.concat([scope]);
  return (ruleScopes || []).map((s) => s.scope).filter((s) => on.indexOf(s) >= 0);
}

/** The required scopes not ticked (labels), [] when the ticks may be sent. */
function missingRequired(ruleScopes, checked) {
  return (ruleScopes || []).filter((s) => s.required && checked.indexOf(s.scope) < 0)
    .map((s) => SCOPE_LABELS[s.scope] || s.label);
}

module.exports = { scopeChoices, toggled, missingRequired };
