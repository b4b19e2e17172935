/**
 * 超时未接 (teacher, class head, duty leader, guard, admin; home → 超时未接 / 迟接登记): the children still here after
 * their end time + the grace (GET /pickup/late), oldest first: where they are, since when, and each guardian who may
 * take them with a call button (wx.makePhoneCall). The guard's list is the children handed to the guard
 * (stage=with_guard, 交门卫); the others see all, with a filter 全部 / 已交门卫.
 *
 * When the guardian arrives: 扫码放行 opens pages/pickup-scan with the camera at once (the same verify / release flow);
 * 人工核对 opens it on this child's adults. Coming back, pull-down and 重新加载 reload.
 */
const { isDialable } = require('../../utils/phone');
const pickup = require('../../services/pickup');
const attendance = require('../../services/attendance');
const { loadStaffPage } = require('../../utils/school-term');
const { NOT_LOADED, RELOADING } = require('../../utils/page');

const STAGES = [
  { key: '', label: '全部' },
  { key: 'with_guard', label: '已交门卫' },
];
const SCAN_PAGE = '/pages/pickup-scan/index';

/** Only a guard here (no other role that sees every late child): the guard's own list. */
function guardOnly(school) {
  const roles = (school && school.roles) || [];
  return roles.indexOf('guard') >= 0 && roles.every((r) => r === 'guard' || pickup.RELEASER_ROLES.indexOf(r) < 0);
}

function rowView(child) {
  const since = attendance.clock(child.stage === 'with_guard' ? child.to_guard_at : child.late_since);
  return {
    ...pickup.childCard({ ...child, status: '', status_label: child.stage_label }),
    tone: 'danger',
    lateLabel: '',
    detail: `${child.end_time} 放学${since ? `，${since} 起${child.stage === 'with_guard' ? '由门卫看护' : '超时'}` : ''}`,
    contacts: (child.guardians || []).map((g, i) => ({
      key: `${child.student_id}-${i}`,
      who: pickup.personText(g.name, g.relation),
      phone: g.phone || '',
      // a masked number ('138****5678') is shown but cannot be called
      dialable: isDialable(g.phone),
    })),
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    stages: STAGES,
    stage: '',
    showStages: true,
    rows: [],
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.stageChosen = query.stage || null;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: pickup.RELEASER_ROLES,
      refusal: '只有学校教职工可以查看超时未接的学生',
    }, (school, isLatest) => {
      if (this.stageChosen === null) {
        this.stageChosen = guardOnly(school) ? 'with_guard' : '';
        this.setData({ stage: this.stageChosen, showStages: !guardOnly(school) });
      }
      return pickup.lateChildren({ schoolId: school.id, stage: this.stageChosen || undefined }, opts).then((children) => {
        if (!isLatest()) return;
        this.setData({
          rows: (children || []).map(rowView),
          schoolName: this.school.name,
          loading: false,
          loaded: true,
          errorMessage: '',
        });
      });
    });
  },

  onStage(e) {
    const stage = e.currentTarget.dataset.key || '';
    if (stage === this.data.stage) return Promise.resolve();
    this.stageChosen = stage;
    this.setData({ stage });
    return this.load();
  },

  onCall(e) {
    const phone = e.currentTarget.dataset.phone;
    if (phone) wx.makePhoneCall({ phoneNumber: String(phone), fail: () => {} });
  },

  onScan() {
    wx.navigateTo({ url: `${SCAN_PAGE}?scan=1` });
  },

  onManual(e) {
    wx.navigateTo({ url: `${SCAN_PAGE}?student_id=${e.currentTarget.dataset.id}` });
  },
});
