/** What GET /privacy/rules and GET /privacy/consents answer, for the privacy pages' tests. */

const RULES = {
  version: '1.0',
  title: '课后儿童个人信息处理规则',
  effective_from: '2026-09-01',
  current_version: '1.0',
  is_current: true,
  school_name: null,
  markdown: '# 课后儿童个人信息处理规则\n\n开头。\n\n## 一、我们处理哪些信息\n\n- 花名册\n- 照片\n\n## 九、联系我们\n\n学校教导处。\n',
  sections: [
    { title: '', lines: [{ text: '开头。', item: false }] },
    { title: '一、我们处理哪些信息', lines: [{ text: '花名册', item: true }, { text: '照片', item: true }] },
    { title: '九、联系我们', lines: [{ text: '学校教导处。', item: false }] },
  ],
  scopes: [
    { scope: 'roster', label: '花名册与课后服务信息', required: true },
    { scope: 'photo', label: '照片', required: false },
    { scope: 'notifications', label: '消息通知', required: false },
  ],
  versions: [{ version: '1.0', effective_from: '2026-09-01', changes: '首次发布' }],
};

/** The rules at another version (a newer one published, or an old one asked for). */
function rulesAt(version, { current = version } = {}) {
  return {
    ...RULES,
    version,
    current_version: current,
    is_current: version === current,
    versions: [{ version: '1.0', effective_from: '2026-09-01', changes: '首次发布' },
      ...(current !== '1.0' ? [{ version: current, effective_from: '2027-02-01', changes: '照片保存期限' }] : [])],
  };
}

function scope(name, status, version = '1.0') {
  const labels = { roster: '花名册与课后服务信息', photo: '照片', notifications: '消息通知' };
  return {
    scope: name, label: labels[name], status, version: status === 'none' ? null : version,
    given_at: status === 'none' ? null : '2026-09-01T01:00:00Z', withdrawn_at: status === 'withdrawn' ? '2026-10-01T01:00:00Z' : null,
  };
}

/** A child's consents: `statuses` per scope (given / stale / withdrawn / none). */
function childConsents(id, name, statuses = {}, { version = '1.0' } = {}) {
  const of = (s) => statuses[s] || 'given';
  return {
    student_id: id,
    student_name: name,
    school_id: 1,
    school_name: '示范小学',
    rules_version: version,
    needed: of('roster') !== 'given',
    scopes: ['roster', 'photo', 'notifications'].map((s) => scope(s, of(s), of(s) === 'stale' ? '0.9' : version)),
  };
}

module.exports = { RULES, rulesAt, childConsents };
