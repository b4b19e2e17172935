/**
 * 突发情况 (staff; home → 突发情况, pages/duty-today): 处理中 — the incidents still open (the last 90 days, not just
 * GET /incidents' default week, so an old open case is not lost), and 最近 7 天 — everything of the last week, open
 * or closed. Each: type, severity, when, where, the children, its status and how many entries it has; a missing
 * child in red. Tap → the incident (pages/incident). 报告突发情况 → pages/incident-report.
 * Coming back, pull-down and 重新加载 reload.
 */
const incidents = require('../../services/incidents');
const { loadStaffPage } = require('../../utils/school-term');
const { NOT_LOADED, RELOADING } = require('../../utils/page');

const TABS = [
  { key: 'open', label: '处理中' },
  { key: 'recent', label: '最近 7 天' },
];

Page({
  data: {
    ...NOT_LOADED,
    tabs: TABS,
    tab: 'open',
    items: [],
    empty: '',
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    if (query.tab === 'recent') this.setData({ tab: 'recent' });
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    const tab = this.data.tab;
    return loadStaffPage(this, {
      roles: incidents.REPORTER_ROLES,
      refusal: '只有学校的教职工可以查看突发情况',
    }, (school, isLatest) => (tab === 'open'
      ? incidents.listOpen({ schoolId: school.id }, opts)
      : incidents.list({ schoolId: school.id }, opts)).then((list) => {
      if (!isLatest()) return;
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        items: (list || []).map(incidents.listItem),
        empty: tab === 'open' ? '没有待处理的突发情况。' : '最近 7 天没有突发情况。',
      });
    }));
  },

  onTab(e) {
    const tab = e.currentTarget.dataset.key;
    if (tab === this.data.tab) return Promise.resolve();
    this.setData({ tab });
    return this.load();
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/incident/index?id=${e.currentTarget.dataset.id}` });
  },

  onReport() {
    wx.navigateTo({ url: '/pages/incident-report/index' });
  },
});
