/** Role names, the work each role will find on the home page, and finding one's school or child in GET /me. */

// The one list of role names (the home page's roles, 审核记录's who).
const ROLE_LABELS = {
  guardian: '家长',
  teacher: '课后服务教师',
  class_head: '班主任',
  duty_leader: '值班领导',
  guard: '门卫',
  admin: '教导处管理员',
  district: '教育局',
};

const STAFF_ROLES = ['teacher', 'class_head', 'duty_leader', 'guard'];

// An entry with a `url` opens that page (wx.navigateTo); one without is not built yet and the home
// page shows it disabled (即将上线).
// The day's sessions and roll call: for everyone who tutors or oversees them (one entry, whatever the roles).
const CARE_TODAY = { key: 'care-today', title: '今日托管', desc: '今日场次，点名签到', url: '/pages/sessions/index' };
// 放学接送: the same page for every role that may use it (one entry per key, whatever the roles).
const PICKUP_SCAN = { key: 'handoff', title: '接送放行', desc: '扫描接送码，交到家长手中', url: '/pages/pickup-scan/index' };
const WALK_HOME = { key: 'walk-home', title: '自行回家', desc: '家长签署了情况说明的学生，放学后放行', url: '/pages/pickup-walk-home/index' };
const LATE_PICKUP = { key: 'late-pickup', title: '超时未接', desc: '家长未按时来接的学生，联系家长', url: '/pages/pickup-late/index' };
const PICKUP_BOARD = { key: 'clearance', title: '清校确认', desc: '放学看板：谁还在校，全部离校后清校', url: '/pages/pickup-board/index' };
// 值班: the day's duty and patrols, incidents, the day's report.
const DUTY_TODAY = { key: 'duty-today', title: '今日值班', desc: '各场次巡查，每节课两次并记录', url: '/pages/duty-today/index' };
const INCIDENTS = { key: 'incidents', title: '突发情况', desc: '报告、跟进与结案', url: '/pages/incidents/index' };
const REPORT_INCIDENT = { key: 'incident-report', title: '报告突发情况', desc: '受伤、不适、走失等，立即通知值班领导和家长', url: '/pages/incident-report/index' };
const DUTY_REPORT = { key: 'duty-log', title: '值班日志', desc: '当日报告：巡查、突发情况、清校，签字', url: '/pages/duty-report/index' };

const STAFF_ENTRIES = {
  teacher: [
    CARE_TODAY,
    PICKUP_SCAN,
    WALK_HOME,
    LATE_PICKUP,
    REPORT_INCIDENT,
    { key: 'my-clubs', title: '我的社团', desc: '所带社团的学生名单', url: '/pages/club-roster/index' },
    { key: 'tutor-offer', title: '看护报名', desc: '报名看护临时班，查看已安排的看护', url: '/pages/tutor-offer/index' },
    // a teacher may be on the day's roster as patrol staff (巡查人员)
    { ...DUTY_TODAY, desc: '排到巡查时，记录各场次巡查' },
  ],
  class_head: [
    { key: 'class-review', title: '班级审核', desc: '审核本班家长的托管申请', url: '/pages/review/index' },
    { key: 'leave-review', title: '请假审批', desc: '本班家长的请假，批准或知悉', url: '/pages/leave-review/index' },
    CARE_TODAY,
    { key: 'class-handover', title: '放学交接', desc: '清点留校学生，交给托管老师', url: '/pages/handover/index' },
    PICKUP_SCAN,
    REPORT_INCIDENT,
    { key: 'class-attendance', title: '班级考勤', desc: '本班学生的托管出勤' },
  ],
  duty_leader: [
    DUTY_TODAY,
    INCIDENTS,
    DUTY_REPORT,
    CARE_TODAY,
    PICKUP_BOARD,
    LATE_PICKUP,
    PICKUP_SCAN,
  ],
  guard: [
    { ...LATE_PICKUP, title: '迟接登记', desc: '交给门卫的学生，联系家长，扫码放行' },
    { ...PICKUP_BOARD, title: '放学看板', desc: '谁还在校，谁已离校' },
    { key: 'visitors', title: '访客登记', desc: '校门来访人员记录' },
  ],
};

const ADMIN_ENTRIES = [
  { key: 'principal', title: '校长看板', desc: '今天与本学期的关键数字', url: '/pages/principal/index' },
  CARE_TODAY,
  { key: 'plan', title: '服务方案', desc: '发布本学期课后服务方案与协议', url: '/pages/plan/index' },
  { key: 'approval', title: '申请审定', desc: '教导处审定托管申请', url: '/pages/approval/index' },
  { key: 'care-groups', title: '临时班', desc: '生成临时班，调整学生与看护教师', url: '/pages/care-groups/index' },
  { key: 'groups', title: '分班与社团', desc: '看护班、社团与名单', url: '/pages/club-admin/index' },
  { key: 'calendar', title: '服务日历', desc: '节假日、调休、停课与加开，学校设置', url: '/pages/calendar/index' },
  { key: 'duty-roster', title: '值班安排', desc: '值班表：按值班领导轮流生成，调整与换班', url: '/pages/duty-roster/index' },
  DUTY_REPORT,
  INCIDENTS,
  PICKUP_BOARD,
  { key: 'survey-results', title: '满意度调查', desc: '家长满意度与意见建议', url: '/pages/survey-results/index' },
  { key: 'reports', title: '统计报表', desc: '出勤、工作量与收费' },
];

// Links on each of a guardian's child cards; `{id}` is the child's student id.
const CHILD_ACTIONS = [
  { key: 'day', title: '今天在哪', url: '/pages/child-day/index?student_id={id}' },
  { key: 'application', title: '托管申请', url: '/pages/application/index?student_id={id}' },
  { key: 'clubs', title: '社团', url: '/pages/clubs/index?student_id={id}' },
  { key: 'leave', title: '请假', url: '/pages/leave-request/index?student_id={id}' },
  { key: 'delegates', title: '临时接送', url: '/pages/pickup-delegates/index?student_id={id}' },
  { key: 'survey', title: '满意度', url: '/pages/survey/index?student_id={id}' },
];

// The guardian's (and a delegate's) pickup code: one for the adult, whichever child.
const PICKUP_CODE_URL = '/pages/pickup-code/index';

function roleLabel(role) {
  return ROLE_LABELS[role] || role;
}

/** Staff entries for a set of roles, in role order, without duplicates. */
function staffEntriesFor(roles) {
  const seen = {};
  const entries = [];
  STAFF_ROLES.forEach((role) => {
    if (roles.indexOf(role) < 0) return;
    STAFF_ENTRIES[role].forEach((entry) => {
      if (seen[entry.key]) return;
      seen[entry.key] = true;
      entries.push(entry);
    });
  });
  return entries;
}

/** The child card's links for one child, with the child's id filled in. */
function childActionsFor(studentId) {
  return CHILD_ACTIONS.map((action) => ({
    key: action.key,
    title: action.title,
    url: action.url.replace('{id}', encodeURIComponent(String(studentId))),
  }));
}

/** Whether I have one of `roles` (a role or a list of them) at `school` (one of GET /me `schools`; none → false). */
function hasRole(school, roles) {
  const wanted = [].concat(roles);
  return Boolean(school) && (school.roles || []).some((r) => wanted.indexOf(r) >= 0);
}

/** The schools (GET /me `schools`) where the account has one of `roles` (a role or a list of them). */
function schoolsWithRole(profile, roles) {
  return ((profile && profile.schools) || []).filter((s) => hasRole(s, roles));
}

/**
 * The school where the account has one of `roles`: the one with id `preferredId` if that is among them
 * (a page's ?school_id=), else the first; null when there is none.
 */
function schoolWithRole(profile, roles, preferredId) {
  const schools = schoolsWithRole(profile, roles);
  return schools.find((s) => s.id === preferredId) || schools[0] || null;
}

/** One of the guardian's children (GET /me `children`); throws (code CHILD_NOT_FOUND) when it is not theirs. */
function childOf(profile, studentId) {
  const child = ((profile && profile.children) || []).find((c) => c.id === studentId);
  if (!child) {
    const err = new Error('未找到该孩子，请从首页重新进入');
    err.code = 'CHILD_NOT_FOUND';
    throw err;
  }
  return child;
}

module.exports = {
  STAFF_ROLES,
  ADMIN_ENTRIES,
  PICKUP_CODE_URL,
  roleLabel,
  staffEntriesFor,
  childActionsFor,
  hasRole,
  schoolsWithRole,
  schoolWithRole,
  childOf,
};
