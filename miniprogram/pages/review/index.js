/**
 * 班级审核 — the class head's first review: the current term's submitted applications of the classes
 * they head (the server limits the list to those classes). 通过 passes an application on to 教导处;
 * 退回 needs a reason, which the guardian sees. Query: school_id (optional; default the first school
 * where the account is a class head).
 *
 * No batch approval here: POST /terms/{id}/applications/bulk-approve is for admins only.
 */
const { me } = require('../../services/auth');
const enrollment = require('../../services/enrollment');

function itemView(app) {
  return {
    id: app.id,
    studentName: app.student_name,
    className: app.class_name,
    weekdaysText: enrollment.weekdaysText(app.weekdays),
    pickupText: enrollment.pickupLabel(app.pickup_mode),
    selfStatement: app.pickup_mode === 'self' ? app.self_statement || '' : '',
    priorities: (app.priority || []).map(enrollment.priorityLabel),
    note: app.note || '',
    submittedAt: enrollment.formatTime(app.submitted_at),
    signed: Boolean(app.signature),
  };
}

Page({
  data: {
    loading: true,
    errorMessage: '',
    loaded: false,
    schoolName: '',
    termName: '',
    items: [],
    rejectingId: 0,
    rejectReason: '',
    rejectError: '',
    busyId: 0,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  onShow() {
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  load() {
    const firstLoad = !this.data.loaded;
    if (firstLoad) this.setData({ loading: true, errorMessage: '' });
    const opts = { toast: false };
    return me(opts).then((profile) => {
      const schools = (profile.schools || []).filter((s) => (s.roles || []).indexOf('class_head') >= 0);
      const school = schools.find((s) => s.id === this.schoolId) || schools[0];
      if (!school) throw new Error('您还不是班主任，无法进行班级审核');
      return enrollment.currentTerm(school.id, opts).then((term) => {
        this.termId = term.id;
        return enrollment.listApplications(term.id, { status: 'submitted' }, opts).then((apps) => {
          this.setData({
            loading: false,
            loaded: true,
            errorMessage: '',
            schoolName: school.name,
            termName: term.name,
            items: (apps || []).map(itemView),
            rejectingId: 0,
            rejectReason: '',
            rejectError: '',
          });
        });
      });
    }).catch((err) => {
      if (firstLoad) this.setData({ loading: false, errorMessage: err.message || '加载失败，请稍后再试' });
      else wx.showToast({ title: err.message || '刷新失败', icon: 'none' });
    });
  },

  decide(id, decision, comment) {
    if (this.data.busyId) return Promise.resolve();
    this.setData({ busyId: id });
    return enrollment.review(id, { decision, comment }).then(
      () => {
        this.setData({
          busyId: 0,
          items: this.data.items.filter((item) => item.id !== id),
          rejectingId: 0,
          rejectReason: '',
          rejectError: '',
        });
        wx.showToast({ title: decision === 'approve' ? '已通过' : '已退回', icon: 'success' });
      },
      (err) => {
        // request.js has shown the server's message; a stale item (already reviewed, withdrawn) goes away
        this.setData({ busyId: 0 });
        if (err.code === 'APPLICATION_STATE' || err.code === 'APPLICATION_NOT_FOUND') return this.load();
        if (err.fields && err.fields.comment) this.setData({ rejectError: err.fields.comment });
        return undefined;
      },
    );
  },

  onApprove(e) {
    return this.decide(Number(e.currentTarget.dataset.id), 'approve', null);
  },

  onRejectOpen(e) {
    this.setData({ rejectingId: Number(e.currentTarget.dataset.id), rejectReason: '', rejectError: '' });
  },

  onRejectCancel() {
    this.setData({ rejectingId: 0, rejectReason: '', rejectError: '' });
  },

  onRejectInput(e) {
    this.setData({ rejectReason: e.detail.value, rejectError: '' });
  },

  onRejectConfirm() {
    const reason = String(this.data.rejectReason || '').trim();
    if (!reason) {
      this.setData({ rejectError: '退回须填写原因，家长会看到' });
      return Promise.resolve();
    }
    return this.decide(this.data.rejectingId, 'reject', reason);
  },

  onRetry() {
    return this.load();
  },
});
