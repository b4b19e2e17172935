/**
 * 教导处审定 — the admin's final approval for the current term: the participation figures, the
 * applications filtered by status, and decisions: approve or decline (with a reason) one at a time, or
 * approve the selected ones together (bulk-approve answers per application, so some may fail — full,
 * or priority groups waiting first — while the others pass).
 *
 * "待审定" is the server's waiting queue: class-approved applications in approval order (priority groups
 * first, then who applied first), the order in which they can be approved when places are limited.
 * Query: school_id (optional; default the first school where the account is an admin).
 */
const { me } = require('../../services/auth');
const enrollment = require('../../services/enrollment');
const terms = require('../../services/terms');
const { schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, confirm } = require('../../utils/page');
const { REJECT_CLOSED, reviewHandlers, refusedDecision } = require('../../utils/review');

const FILTERS = [
  { value: 'class_approved', label: '待审定' },
  { value: 'submitted', label: '待班主任审核' },
  { value: 'approved', label: '已通过' },
  { value: 'rejected', label: '未通过' },
  { value: 'declined', label: '不参加' },
  { value: 'withdrawn', label: '已退出' },
  { value: 'all', label: '全部' },
];
const PAGE_SIZE = 50;

function summaryView(s) {
  const by = s.by_status || {};
  const count = (key) => by[key] || 0;
  const notResponded = (s.by_grade || []).reduce((sum, row) => sum + (row.not_responded || 0), 0);
  return {
    eligible: s.eligible,
    applied: count('submitted') + count('class_approved') + count('approved') + count('rejected'),
    approved: count('approved'),
    declined: count('declined'),
    withdrawn: count('withdrawn'),
    rejected: count('rejected'),
    pendingClass: count('submitted'),
    pendingAdmin: count('class_approved'),
    notResponded,
    rate: `${s.participation_rate}%`,
    capacityText: s.capacity ? `名额 ${s.capacity}，剩余 ${Math.max(0, s.capacity - count('approved'))}` : '',
    priorities: (s.by_priority || []).filter((p) => p.approved > 0).map((p) => p.text),
  };
}

function itemView(app, selected) {
  return {
    ...enrollment.applicationFacts(app),
    status: app.status,
    statusLabel: app.status_label || enrollment.statusLabel(app.status),
    declineReason: app.decline_reason || '',
    decidable: app.status === 'class_approved',
    selected: Boolean(selected[app.id]),
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    summary: null,
    filters: FILTERS,
    filter: 'class_approved',
    listLoading: false,
    items: [],
    total: 0,
    shown: PAGE_SIZE,
    selectedCount: 0,
    bulkResult: null,
    ...REJECT_CLOSED,
    busy: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.apps = [];
    this.selected = {};
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, () => me(opts).then((profile) => {
      const school = schoolWithRole(profile, 'admin', this.schoolId);
      if (!school) throw new Error('仅教导处管理员可以审定申请');
      return terms.currentTerm(school.id, opts).then((term) => {
        this.termId = term.id;
        return Promise.all([enrollment.summary(term.id, opts), this.fetchList(opts)]).then(([s]) => {
          this.setData({
            loading: false, loaded: true, errorMessage: '', schoolName: school.name, termName: term.name,
            summary: summaryView(s),
          });
        });
      });
    }));
  },

  fetchList(opts = {}) {
    const filter = this.data.filter;
    const call = filter === 'class_approved'
      ? enrollment.waitingQueue(this.termId, opts)
      : enrollment.listApplications(this.termId, { status: filter === 'all' ? '' : filter }, opts);
    this.setData({ listLoading: true });
    return call.then((apps) => {
      this.apps = apps || [];
      // keep only selections still decidable
      const still = {};
      this.apps.forEach((a) => { if (this.selected[a.id] && a.status === 'class_approved') still[a.id] = true; });
      this.selected = still;
      this.setData({ ...REJECT_CLOSED, listLoading: false, shown: PAGE_SIZE });
      this.render();
    }, (err) => {
      this.setData({ listLoading: false });
      throw err;
    });
  },

  render() {
    const visible = this.apps.slice(0, this.data.shown);
    this.setData({
      items: visible.map((a) => itemView(a, this.selected)),
      total: this.apps.length,
      selectedCount: Object.keys(this.selected).length,
    });
  },

  refreshSummary() {
    return enrollment.summary(this.termId, { toast: false }).then(
      (s) => this.setData({ summary: summaryView(s) }),
      () => undefined,
    );
  },

  onFilter(e) {
    const filter = e.currentTarget.dataset.value;
    if (filter === this.data.filter) return Promise.resolve();
    this.selected = {};
    this.setData({ filter, bulkResult: null });
    return this.fetchList().catch(() => undefined);
  },

  onMore() {
    this.setData({ shown: this.data.shown + PAGE_SIZE });
    this.render();
  },

  onToggle(e) {
    const id = Number(e.currentTarget.dataset.id);
    const app = this.apps.find((a) => a.id === id);
    if (!app || app.status !== 'class_approved') return;
    if (this.selected[id]) delete this.selected[id];
    else this.selected[id] = true;
    this.render();
  },

  onSelectAll() {
    const visible = this.apps.slice(0, this.data.shown).filter((a) => a.status === 'class_approved');
    const allOn = visible.length > 0 && visible.every((a) => this.selected[a.id]);
    visible.forEach((a) => {
      if (allOn) delete this.selected[a.id];
      else this.selected[a.id] = true;
    });
    this.render();
  },

  onBulkApprove() {
    const ids = Object.keys(this.selected).map(Number);
    if (!ids.length) {
      wx.showToast({ title: '请先选择申请', icon: 'none' });
      return Promise.resolve();
    }
    if (this.data.busy) return Promise.resolve();
    return confirm({
      title: '批量审定',
      content: `确定审定通过选中的 ${ids.length} 份申请吗？`,
      confirmText: '通过',
    }).then((ok) => (ok ? this.bulkApprove(ids) : undefined));
  },

  bulkApprove(ids) {
    this.setData({ busy: true, bulkResult: null });
    const names = {};
    this.apps.forEach((a) => { names[a.id] = a.student_name; });
    return enrollment.bulkApprove(this.termId, ids).then(
      (results) => {
        const ok = results.filter((r) => r.ok).length;
        const failed = results.filter((r) => !r.ok).map((r) => ({
          id: r.application_id,
          text: `${names[r.application_id] || `申请 ${r.application_id}`}：${r.message || '未能通过'}`,
        }));
        this.selected = {};
        this.setData({ busy: false, bulkResult: { ok, failedCount: failed.length, failed } });
        wx.showToast({ title: failed.length ? `通过 ${ok} 份，${failed.length} 份未成功` : `已通过 ${ok} 份`, icon: 'none' });
        return Promise.all([this.fetchList().catch(() => undefined), this.refreshSummary()]);
      },
      () => {
        this.setData({ busy: false });
      },
    );
  },

  decide(id, decision, comment) {
    if (this.data.busy) return Promise.resolve();
    this.setData({ busy: true });
    return enrollment.review(id, { decision, comment }).then(
      () => {
        delete this.selected[id];
        this.setData({ busy: false });
        wx.showToast({ title: decision === 'approve' ? '已通过' : '已审定为未通过', icon: 'success' });
        return Promise.all([this.fetchList().catch(() => undefined), this.refreshSummary()]);
      },
      (err) => {
        this.setData({ busy: false });
        return refusedDecision(this, err) ? this.fetchList().catch(() => undefined) : undefined;
      },
    );
  },

  ...reviewHandlers('不通过须填写原因，家长会看到'),
});
