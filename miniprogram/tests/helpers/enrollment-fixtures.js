/** Server answers shared by the enrollment page tests (shapes as app/enrollment/schemas.py). */

const CHILD = {
  id: 11, name: '李小明', school_id: 1, school_name: '示范小学', class_id: 3, class_name: '一年级1班',
  relation: '妈妈', may_pick_up: true,
};
const SIBLING = {
  id: 12, name: '李小红', school_id: 1, school_name: '示范小学', class_id: 9, class_name: '四年级1班',
  relation: '妈妈', may_pick_up: true,
};

const GUARDIAN_ME = { account_id: 7, name: '王芳', roles: ['guardian'], schools: [], children: [CHILD, SIBLING] };
const CLASS_HEAD_ME = {
  account_id: 8, name: '张老师', roles: ['class_head', 'teacher'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['class_head', 'teacher'], staff_id: 4 }],
};
const ADMIN_ME = {
  account_id: 9, name: '刘主任', roles: ['admin'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['admin'], staff_id: 5 }],
};

const TERMS = [
  { id: 4, school_id: 1, name: '2025-2026学年第一学期', starts_on: '2025-09-01', ends_on: '2026-01-20', is_current: false },
  { id: 5, school_id: 1, name: '2025-2026学年第二学期', starts_on: '2026-02-20', ends_on: '2026-07-10', is_current: true },
];

const AGREEMENT_TEXT = '一、服务内容：放学后先作业辅导，后开展活动。\n二、家长责任：按时接孩子。\n三、本协议至本学期课后服务结束止。';

function plan(overrides = {}) {
  return {
    id: 21, term_id: 5, version: 2, status: 'published', agreement_hash: 'hash-v2', term_fee_cents: 30000,
    published_at: '2026-02-10T02:00:00Z', weekdays: [1, 2, 3, 4, 5],
    end_times: { low: '17:00', mid: '17:20', high: '17:30' },
    winter: { starts_on: '2026-11-01', low: '16:50', mid: '17:10', high: '17:20' },
    homework_minutes: 40, content: ['作业辅导', '自主阅读', '体育活动'], fee_cents: 30000, fee_period: 'term',
    waiver_rules: '低保家庭全免；其他经济困难家庭经申请可减半。',
    safety_measures: '班主任与看护教师交接点名；值班领导每节课巡查两次。',
    agreement_title: '示范小学课后服务协议书', agreement_text: AGREEMENT_TEXT, capacity: null, priority_first: true,
    ...overrides,
  };
}

const LABELS = {
  submitted: '待班主任审核', class_approved: '待教导处审定', approved: '已通过', rejected: '未通过',
  withdrawn: '已退出', declined: '不参加',
};

function application(status, overrides = {}) {
  return {
    id: 31, term_id: 5, student_id: 11, student_name: '李小明', class_id: 3, class_name: '一年级1班',
    status, status_label: LABELS[status], weekdays: [1, 2, 3, 4, 5], pickup_mode: 'guardian', self_statement: null,
    priority: [], priority_claims: [], note: null, decline_reason: null,
    submitted_at: status === 'declined' ? null : '2026-02-21T01:30:00Z', leaves_on: null, signature: null,
    in_care: false,
    ...overrides,
  };
}

function signature(version = 2) {
  return { plan_version: version, signer_name: '王芳', signed_at: '2026-02-21T01:35:00Z', text_hash: 'hash', client: 'mp' };
}

function apiError(status, code, message, fields) {
  const error = { code, message };
  if (fields) error.fields = fields;
  return { status, body: { error } };
}

module.exports = {
  CHILD, SIBLING, GUARDIAN_ME, CLASS_HEAD_ME, ADMIN_ME, TERMS, AGREEMENT_TEXT, plan, application, signature, apiError,
};
