/**
 * 请假审批 (class head; query: school_id, optional): the leave requests of the class I head
 * (GET /classes/{id}/leave-requests?status=&date=), urgent ones still waiting first and marked 紧急
 * (asked for today after the cut-off: the teachers already know), then the others waiting, then the rest.
 *
 *   filter     待处理 (default) / 已批准 / 已知悉 / 已撤销 / 全部, and optionally one date
 *   批准 / 知悉  POST /leave-requests/{id}/decision {decision: approve | note, comment?} (idempotent);
 *              both put the leave in force and tell the guardian; a 留言 is optional
 *
 * A class head of several classes switches between them at the top.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const leave = require('../../services/leave');
const { schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, notice } = require('../../utils/page');

const DONE = { approve: '已批准', note: '已知悉' };

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    classes: [],
    classId: 0,
    className: '',
    filters: leave.STATUS_FILTERS,
    status: 'submitted',
    date: '',
    items: [],
    urgentCount: 0,
    busyId: 0,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.comments = {};
  },

  ...RELOADING,

  /** My school and the classes I head (once), then the chosen class's requests under the filter. */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      const context = this.school
        ? Promise.resolve()
        : me(opts).then((profile) => {
          const school = schoolWithRole(profile, 'class_head', this.schoolId);
          if (!school) throw new Error('您还不是班主任，无法处理请假');
          return leave.headedClasses(school, opts).then((mine) => {
            if (!mine.length) throw new Error('您目前没有担任班主任的班级');
            this.school = school;
            this.classes = mine.map((c) => ({ id: c.id, name: c.name }));
            this.setData({ classes: this.classes, classId: this.classes[0].id, schoolName: school.name });
          });
        });
      return context
        .then(() => leave.classLeaves(this.data.classId, { status: this.data.status, date: this.data.date }, opts))
        .then((list) => {
          if (!isLatest()) return;
          const items = leave.reviewOrder(list || []).map((l) => leave.leaveView(l));
          this.setData({
            loading: false,
            loaded: true,
            errorMessage: '',
            className: (this.classes.find((c) => c.id === this.data.classId) || {}).name || '',
            items,
            urgentCount: items.filter((i) => i.urgent && i.pending).length,
          });
        });
    });
  },

  onClass(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!id || id === this.data.classId) return Promise.resolve();
    this.setData({ classId: id });
    return this.load();
  },

  onStatus(e) {
    const status = e.currentTarget.dataset.status || '';
    if (status === this.data.status) return Promise.resolve();
    this.setData({ status });
    return this.load();
  },

  onDate(e) {
    this.setData({ date: e.detail.value || '' });
    return this.load();
  },

  onClearDate() {
    if (!this.data.date) return Promise.resolve();
    this.setData({ date: '' });
    return this.load();
  },

  onComment(e) {
    this.comments[Number(e.currentTarget.dataset.id)] = e.detail.value;
  },

  onApprove(e) {
    return this.decide(Number(e.currentTarget.dataset.id), 'approve');
  },

  onNote(e) {
    return this.decide(Number(e.currentTarget.dataset.id), 'note');
  },

  /** 批准 or 知悉 one request; a request cancelled or decided meanwhile is said in a modal, then the list is read again. */
  decide(id, decision) {
    const item = this.data.items.find((i) => i.id === id);
    if (!item || !item.pending) return Promise.resolve();
    return oneAtATime(this, {
      flag: 'deciding',
      busyKey: 'busyId',
      id,
      run: () => leave.decide(id, { decision, comment: this.comments[id] }, { toast: false }).then(
        () => {
          delete this.comments[id];
          wx.showToast({ title: DONE[decision], icon: 'success' });
        },
        (err) => {
          if (err.code === 'LEAVE_DECIDED' || err.code === 'LEAVE_CANCELLED') notice('无需处理', err.message);
          else showErrorToast(err);
        },
      ),
    });
  },
});
