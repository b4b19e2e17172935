/**
 * 看护报名 (teachers, class heads, duty leaders, admins; query: school_id, optional): volunteer to tutor a care
 * group (教师自愿申请) on some weekdays of the current term — PUT /terms/{id}/tutor-offers/{my staff id}
 * {weekdays, note?} (a second save replaces the first), 撤回 (confirm) → DELETE. The weekdays offered are the
 * published plan's (Monday–Friday before one is published). Below: where the admin's group build put me
 * (已安排), each a link to that group.
 */
const { showErrorToast } = require('../../services/request');
const caregroups = require('../../services/caregroups');
const enrollment = require('../../services/enrollment');
const { WEEKDAY_NAMES, formatRecent, weekdaysText } = require('../../utils/format');
const { schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, confirm } = require('../../utils/page');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');

// Who may volunteer (app/caregroups/service.py TUTOR_ROLES); a guard may not.
const TUTOR_ROLES = ['teacher', 'class_head', 'duty_leader', 'admin'];

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    offered: false,
    offerText: '',
    assignments: [],
    weekdays: [],
    selected: [],
    note: '',
    weekdaysError: '',
    noteError: '',
    formError: '',
    saving: false,
    withdrawing: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => schoolTerm(this, {
      // the offer is filed under my staff id there
      pick: (profile) => {
        const school = schoolWithRole(profile, TUTOR_ROLES, this.schoolId);
        return school && school.staff_id ? school : null;
      },
      refusal: '只有本校教师可以报名看护',
    }, opts).then(() => Promise.all([
      enrollment.getPlan(this.term.id, opts).catch((err) => { if (err.code === 'PLAN_NOT_PUBLISHED') return null; throw err; }),
      caregroups.getOffer(this.term.id, this.school.staff_id, opts)
        .catch((err) => { if (err.code === 'OFFER_NOT_FOUND') return null; throw err; }),
    ])).then(([plan, offer]) => {
      if (!isLatest()) return;
      this.render(plan, offer);
    }));
  },

  render(plan, offer) {
    const days = (plan && plan.weekdays && plan.weekdays.length ? plan.weekdays : caregroups.SCHOOL_WEEK).slice().sort((a, b) => a - b);
    const selected = offer ? offer.weekdays.filter((d) => days.indexOf(d) >= 0) : [];
    this.setData({
      ...schoolTermLoaded(this),
      offered: Boolean(offer),
      offerText: offer ? `已报名：${weekdaysText(offer.weekdays)}（${formatRecent(offer.updated_at)} 提交）` : '尚未报名',
      assignments: ((offer && offer.assignments) || []).map((a, i) => ({
        key: i, groupId: a.group_id, text: `${WEEKDAY_NAMES[a.weekday]} · ${a.group_name}`,
      })),
      weekdays: days.map((d) => ({ day: d, label: WEEKDAY_NAMES[d], on: selected.indexOf(d) >= 0 })),
      selected,
      note: (offer && offer.note) || '',
      weekdaysError: '',
      noteError: '',
      formError: '',
    });
  },

  onDay(e) {
    const day = Number(e.currentTarget.dataset.day);
    const selected = this.data.selected.indexOf(day) >= 0
      ? this.data.selected.filter((d) => d !== day)
      : this.data.selected.concat([day]).sort();
    this.setData({
      selected,
      weekdays: this.data.weekdays.map((w) => ({ ...w, on: selected.indexOf(w.day) >= 0 })),
      weekdaysError: '',
      formError: '',
    });
  },

  onNote(e) {
    this.setData({ note: e.detail.value, noteError: '', formError: '' });
  },

  onSave() {
    if (this.saving || !this.term) return Promise.resolve();
    if (!this.data.selected.length) {
      this.setData({ weekdaysError: '请至少选择一天' });
      return Promise.resolve();
    }
    this.saving = true;
    this.setData({ saving: true, formError: '' });
    const wasOffered = this.data.offered;
    return caregroups.saveOffer(this.term.id, this.school.staff_id, { weekdays: this.data.selected, note: this.data.note }, { toast: false })
      .then(
        () => {
          wx.showToast({ title: wasOffered ? '已更新' : '已报名', icon: 'success' });
          return this.load();
        },
        (err) => {
          const fields = err.fields || {};
          if (fields.note) this.setData({ noteError: fields.note });
          else if (fields.weekdays) this.setData({ weekdaysError: fields.weekdays });
          else this.setData({ formError: err.message });
        },
      )
      .then(() => {
        this.saving = false;
        this.setData({ saving: false });
      });
  },

  onWithdraw() {
    if (this.withdrawing || !this.term || !this.data.offered) return Promise.resolve();
    this.withdrawing = true;
    return confirm({
      title: '撤回看护报名',
      content: '撤回后不再安排您看护；已排好的看护由管理员调整或重新分班时另行安排。',
      confirmText: '撤回',
      confirmColor: '#d64541',
      cancelText: '不撤回',
    }).then((ok) => {
      if (!ok) return undefined;
      this.setData({ withdrawing: true });
      return caregroups.withdrawOffer(this.term.id, this.school.staff_id, { toast: false }).then(
        () => {
          wx.showToast({ title: '已撤回', icon: 'success' });
          return this.load();
        },
        (err) => showErrorToast(err),
      );
    }).then(() => {
      this.withdrawing = false;
      this.setData({ withdrawing: false });
    });
  },

  onOpenGroup(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!id) return;
    wx.navigateTo({ url: `/pages/care-group/index?group_id=${id}&term_id=${this.term.id}` });
  },
});
