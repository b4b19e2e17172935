/**
 * 临时班 (admin; query: school_id, optional — default the first school where the account is an admin): the
 * current term's care groups (GET /terms/{id}/care-groups) — figures, the rules the result breaks (warnings, at
 * the top), and every group with its room, classes, size and each weekday's children and tutors.
 *
 *   生成/更新临时班   confirm → POST …/care-groups/build: the first build makes the groups; later ones keep
 *                    everyone where they are and only place newcomers. The result stays on screen: what the build
 *                    did, children and tutors per weekday, and its warnings.
 *   a group          tap → pages/care-group (members, tutors per weekday; rename, move a child, set tutors)
 *
 * onShow reloads, so coming back from a group shows what was changed there.
 */
const { showErrorToast } = require('../../services/request');
const caregroups = require('../../services/caregroups');
const { NOT_LOADED, RELOADING, loadPage, confirm, notice } = require('../../utils/page');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');

// Warnings shown before 查看全部 (a term with many unplaced children has one per child).
const FIRST_WARNINGS = 20;

function listingView(out) {
  return {
    figures: { children: out.children, placed: out.placed, unplaced: out.unplaced, groups: (out.groups || []).length },
    allWarnings: (out.warnings || []).map(caregroups.warningView),
    warningCount: (out.warnings || []).length,
    groups: (out.groups || []).map(caregroups.groupView),
    week: caregroups.weekTotals(out),
  };
}

function resultView(out) {
  return {
    lines: caregroups.buildLines(out),
    week: caregroups.weekTotals(out),
    warnings: (out.warnings || []).slice(0, FIRST_WARNINGS).map(caregroups.warningView),
    warningCount: (out.warnings || []).length,
    groups: (out.groups || []).length,
    placed: out.placed,
    unplaced: out.unplaced,
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    figures: null,
    warnings: [],
    warningCount: 0,
    showAllWarnings: false,
    groups: [],
    week: [],
    building: false,
    result: null,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  /** My admin school and its current term (once), then the term's groups. */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => schoolTerm(this, { roles: 'admin', refusal: '仅教导处管理员可以管理临时班' }, opts)
      .then(() => caregroups.listGroups(this.term.id, opts))
      .then((out) => {
        if (!isLatest()) return;
        this.show(listingView(out), schoolTermLoaded(this));
      }));
  },

  /** 生成/更新临时班, after a confirmation; the answer is both the result and the new listing. */
  onBuild() {
    if (this.building || !this.term) return Promise.resolve();
    this.building = true;
    const first = this.data.groups.length === 0;
    return confirm({
      title: first ? '生成临时班' : '更新临时班',
      content: first
        ? '按审定通过的申请组建临时班并安排看护教师：满 30 人的班级单独成班，其余同年级合班，每班不超过 45 人，每 25 人一名看护教师。'
        : '只安置新审定通过的学生、移出已不在名单的学生，并补齐看护教师；已分好的学生和老师（包括手动调整的）保持不变。',
      confirmText: first ? '生成' : '更新',
      cancelText: '取消',
    }).then((ok) => {
      if (!ok) return undefined;
      this.setData({ building: true });
      return caregroups.buildGroups(this.term.id, { toast: false }).then(
        (out) => {
          this.loadSeq = (this.loadSeq || 0) + 1; // a load still under way must not put the old listing back
          this.show(listingView(out), { result: resultView(out) });
          wx.showToast({ title: '已更新临时班', icon: 'success' });
        },
        (err) => {
          if (err.code === 'BUILD_CONFLICT') notice('未能分班', err.message);
          else showErrorToast(err);
        },
      );
    }).then(() => {
      this.building = false;
      this.setData({ building: false });
    });
  },

  /** The listing on the page; warnings beyond the first 20 wait for 查看全部. */
  show(view, extra = {}) {
    const { allWarnings, ...rest } = view;
    this.allWarnings = allWarnings;
    this.setData({
      ...rest,
      ...extra,
      warnings: this.data.showAllWarnings ? allWarnings : allWarnings.slice(0, FIRST_WARNINGS),
    });
  },

  onAllWarnings() {
    this.setData({ showAllWarnings: true, warnings: this.allWarnings || [] });
  },

  onCloseResult() {
    this.setData({ result: null });
  },

  onOpenGroup(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!id) return;
    wx.navigateTo({ url: `/pages/care-group/index?group_id=${id}&term_id=${this.term.id}` });
  },
});
