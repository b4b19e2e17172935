/**
 * 班级审核 — the class head's first review: the current term's submitted applications of the classes
 * they head (the server limits the list to those classes). 通过 passes an application on to 教导处;
 * 退回 needs a reason, which the guardian sees. Query: school_id (optional; default the first school
 * where the account is a class head).
 *
 * Below the list: the children of those classes whose families have not answered yet (尚未回复), to follow up.
 *
 * No batch approval here: POST /terms/{id}/applications/bulk-approve is for admins only.
 */
const { me } = require('../../services/auth');
const enrollment = require('../../services/enrollment');
const terms = require('../../services/terms');
const { schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');
const { REJECT_CLOSED, reviewHandlers, refusedDecision } = require('../../utils/review');

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    items: [],
    silent: [],
    ...REJECT_CLOSED,
    busyId: 0,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, () => me(opts).then((profile) => {
      const school = schoolWithRole(profile, 'class_head', this.schoolId);
      if (!school) throw new Error('您还不是班主任，无法进行班级审核');
      return terms.currentTerm(school.id, opts).then((term) => {
        this.termId = term.id;
        return Promise.all([
          enrollment.listApplications(term.id, { status: 'submitted' }, opts),
          enrollment.notResponded(term.id, opts),
        ]).then(([apps, silent]) => {
          this.setData({
            ...REJECT_CLOSED,
            loading: false,
            loaded: true,
            errorMessage: '',
            schoolName: school.name,
            termName: term.name,
            items: (apps || []).map(enrollment.applicationFacts),
            // 不参与的家庭也要注明原因: the class head follows up with families who have not answered.
            silent: (silent || []).map((row) => ({ id: row.student_id, name: row.student_name, className: row.class_name })),
          });
        });
      });
    }));
  },

  decide(id, decision, comment) {
    if (this.data.busyId) return Promise.resolve();
    this.setData({ busyId: id });
    return enrollment.review(id, { decision, comment }).then(
      () => {
        this.setData({ ...REJECT_CLOSED, busyId: 0, items: this.data.items.filter((item) => item.id !== id) });
        wx.showToast({ title: decision === 'approve' ? '已通过' : '已退回', icon: 'success' });
      },
      (err) => {
        this.setData({ busyId: 0 });
        return refusedDecision(this, err) ? this.load() : undefined;
      },
    );
  },

  ...reviewHandlers('退回须填写原因，家长会看到'),
});
