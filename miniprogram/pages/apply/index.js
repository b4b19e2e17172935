/**
 * Apply for (or edit, or correct and resubmit) a child's after-school care, then sign the agreement.
 * Query: student_id, term_id, and step=sign to open straight at the agreement (pages/application's 签署协议).
 *
 * Step 1 (form): service days (from the published plan), pickup mode — 家长接送 / 委托他人接送 /
 *   自行回家 (walking home alone needs the guardian's written statement, 情况说明) — priority claims
 *   and a note. New (or withdrawn / declined) → POST /applications; submitted → PATCH (edit);
 *   rejected → PATCH (resubmits).
 * Step 2 (agreement): the agreement in a scroll-view; 签署 stays disabled until the guardian has
 *   scrolled to its end (bindscrolltolower, or the text fits without scrolling). Signing sends the
 *   plan version shown; when the school has published a newer one (AGREEMENT_OUTDATED) the page loads
 *   it and asks to read again.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const enrollment = require('../../services/enrollment');
const { WEEKDAY_NAMES } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');

const PLAN_CHANGED = ['AGREEMENT_OUTDATED', 'AGREEMENT_TEXT_MISMATCH'];
const PICKUP_OPTIONS = [
  { value: 'guardian', label: '家长接送', desc: '由家长本人到校接孩子' },
  { value: 'delegate', label: '委托他人接送', desc: '由家长授权的其他成年人接' },
  { value: 'self', label: '自行回家', desc: '孩子放学后自己回家，须填写情况说明' },
];
const PRIORITY_KEYS = Object.keys(enrollment.PRIORITY_LABELS);
// server field → data key for its inline error
const FIELD_ERRORS = {
  weekdays: 'weekdaysError',
  self_statement: 'selfStatementError',
  pickup_mode: 'formError',
  priority_claims: 'formError',
  note: 'noteError',
};


function clientName() {
  let version = '';
  try {
    const info = wx.getAccountInfoSync && wx.getAccountInfoSync();
    version = (info && info.miniProgram && (info.miniProgram.version || info.miniProgram.envVersion)) || '';
  } catch (e) {
    // not available in every base library
  }
  return `kehou-miniprogram${version ? `/${version}` : ''}`;
}

Page({
  data: {
    ...NOT_LOADED,
    step: 'form',
    mode: 'apply',
    childName: '',
    submitLabel: '提交申请',
    // form
    dayOptions: [],
    pickupOptions: PICKUP_OPTIONS,
    pickupMode: 'guardian',
    selfStatement: '',
    priorityOptions: [],
    note: '',
    weekdaysError: '',
    selfStatementError: '',
    noteError: '',
    formError: '',
    submitting: false,
    // agreement
    planVersion: 0,
    agreementTitle: '',
    agreementText: '',
    readToEnd: false,
    agreementNotice: '',
    scrollIntoView: '',
    signing: false,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    this.termId = Number(query.term_id) || 0;
    this.wantSign = query.step === 'sign';
    return this.load();
  },

  /** The plan, my applications and my children (utils/page.js loadPage: 重新加载 after a failed first load). */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => Promise.all([
      enrollment.getPlan(this.termId, opts),
      enrollment.myApplications(this.termId, opts),
      me(opts),
    ]).then(([plan, apps, profile]) => {
      if (!isLatest()) return;
      const app = (apps || []).find((a) => a.student_id === this.studentId) || null;
      const child = (profile.children || []).find((c) => c.id === this.studentId);
      if (!child && !app) throw new Error('未找到该学生，请从首页进入');
      this.plan = plan;
      this.application = app;
      const childName = (child && child.name) || app.student_name;
      if (this.wantSign) this.openAgreement(childName);
      else this.openForm(childName);
    }));
  },

  openForm(childName) {
    const app = this.application;
    const status = app ? app.status : 'none';
    if (status === 'class_approved' || status === 'approved') {
      throw new Error(`申请当前状态为「${app.status_label || enrollment.statusLabel(status)}」，不能再修改`);
    }
    const mode = status === 'submitted' ? 'edit' : status === 'rejected' ? 'resubmit' : 'apply';
    const offered = this.plan.weekdays || [];
    // editing, resubmitting or applying again: start from the earlier choices
    const previous = app && app.weekdays && app.weekdays.length ? app.weekdays.filter((d) => offered.indexOf(d) >= 0) : [];
    const chosen = previous.length ? previous : offered;
    const claims = (app && app.priority_claims) || [];
    wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: mode === 'apply' ? '申请课后服务' : '修改申请' });
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      step: 'form',
      mode,
      childName,
      submitLabel: { apply: '提交申请', edit: '保存修改', resubmit: '重新提交' }[mode],
      dayOptions: offered.map((day) => ({ day, label: WEEKDAY_NAMES[day], selected: chosen.indexOf(day) >= 0 })),
      pickupMode: (app && app.pickup_mode) || 'guardian',
      selfStatement: (app && app.self_statement) || '',
      priorityOptions: PRIORITY_KEYS.map((key) => ({
        key, label: enrollment.PRIORITY_LABELS[key], selected: claims.indexOf(key) >= 0,
      })),
      note: (app && app.note) || '',
    });
  },

  openAgreement(childName) {
    const app = this.application;
    if (!app || enrollment.SIGNABLE.indexOf(app.status) < 0) {
      const label = app ? app.status_label || enrollment.statusLabel(app.status) : '尚未申请';
      throw new Error(`申请当前状态为「${label}」，不能签署协议`);
    }
    wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: '签署协议' });
    this.setData({ loading: false, loaded: true, errorMessage: '', childName: childName || this.data.childName });
    this.showAgreement('');
  },

  /** Show the current plan's agreement, unread; `notice` says why it is shown again. */
  showAgreement(notice) {
    const plan = this.plan;
    this.setData({
      step: 'agreement',
      planVersion: plan.version,
      agreementTitle: plan.agreement_title,
      agreementText: plan.agreement_text,
      readToEnd: false,
      agreementNotice: notice || '',
      scrollIntoView: '',
    });
    // back to the top of the (new) text
    this.setData({ scrollIntoView: 'agreement-top' });
    this.checkAgreementFits();
  },

  /** A text shorter than the box never scrolls, so never fires scrolltolower: then it is read as shown. */
  checkAgreementFits() {
    try {
      const query = this.createSelectorQuery();
      query.select('#agreement-scroll').boundingClientRect();
      query.select('#agreement-body').boundingClientRect();
      query.exec((res) => {
        const box = res && res[0];
        const body = res && res[1];
        if (box && body && box.height > 0 && body.height > 0 && body.height <= box.height + 1) {
          this.setData({ readToEnd: true });
        }
      });
    } catch (e) {
      // no layout information: the guardian scrolls to the end
    }
  },

  // ---------- form ----------

  onToggleDay(e) {
    const day = Number(e.currentTarget.dataset.day);
    const dayOptions = this.data.dayOptions.map((o) => (o.day === day ? { ...o, selected: !o.selected } : o));
    this.setData({ dayOptions, weekdaysError: '', formError: '' });
  },

  onPickup(e) {
    this.setData({ pickupMode: e.currentTarget.dataset.value, selfStatementError: '', formError: '' });
  },

  onTogglePriority(e) {
    const key = e.currentTarget.dataset.key;
    const priorityOptions = this.data.priorityOptions.map((o) => (o.key === key ? { ...o, selected: !o.selected } : o));
    this.setData({ priorityOptions });
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [field]: e.detail.value, [`${field}Error`]: '', formError: '' });
  },

  collectForm() {
    const weekdays = this.data.dayOptions.filter((o) => o.selected).map((o) => o.day);
    const pickupMode = this.data.pickupMode;
    const selfStatement = pickupMode === 'self' ? String(this.data.selfStatement || '').trim() : '';
    return {
      studentId: this.studentId,
      termId: this.termId,
      weekdays,
      pickupMode,
      selfStatement,
      priorityClaims: this.data.priorityOptions.filter((o) => o.selected).map((o) => o.key),
      note: String(this.data.note || '').trim(),
    };
  },

  onSubmit() {
    if (this.data.submitting) return Promise.resolve();
    const form = this.collectForm();
    const errors = { weekdaysError: '', selfStatementError: '', noteError: '', formError: '' };
    if (!form.weekdays.length) errors.weekdaysError = '请至少选择一天';
    if (form.pickupMode === 'self' && !form.selfStatement) {
      errors.selfStatementError = '孩子自行回家，须由家长填写书面情况说明';
    }
    if (errors.weekdaysError || errors.selfStatementError) {
      this.setData(errors);
      return Promise.resolve();
    }
    this.setData({ ...errors, submitting: true });
    const app = this.application;
    const call = this.data.mode === 'apply'
      ? enrollment.apply(form, { toast: false })
      : enrollment.editApplication(app.id, form, { toast: false });
    return call.then(
      (saved) => {
        this.application = saved;
        this.setData({ submitting: false });
        const done = { apply: '申请已提交', edit: '已保存修改', resubmit: '已重新提交' }[this.data.mode];
        wx.showToast({ title: done, icon: 'success' });
        // A new application (also after withdrawing or declining) always shows the agreement: the
        // guardian agrees anew. An edit only when the current version is not signed yet.
        if (this.data.mode === 'apply' || enrollment.needsSignature(saved, this.plan)) {
          wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: '签署协议' });
          this.showAgreement('');
        } else {
          this.finish();
        }
      },
      (err) => {
        const update = { submitting: false };
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((key) => FIELD_ERRORS[key]);
        known.forEach((key) => {
          update[FIELD_ERRORS[key]] = fields[key];
        });
        if (!known.length || known.every((key) => FIELD_ERRORS[key] === 'formError')) {
          update.formError = update.formError || err.message;
        }
        this.setData(update);
        showErrorToast(err);
      },
    );
  },

  // ---------- agreement ----------

  onAgreementEnd() {
    if (!this.data.readToEnd) this.setData({ readToEnd: true });
  },

  onSign() {
    if (this.data.signing) return Promise.resolve();
    if (!this.data.readToEnd) {
      wx.showToast({ title: '请先阅读完协议全文', icon: 'none' });
      return Promise.resolve();
    }
    const app = this.application;
    this.setData({ signing: true, agreementNotice: '' });
    return enrollment.sign(app.id, {
      // exactly what was shown: its version, and the hash the server published with that text
      planVersion: this.data.planVersion,
      textHash: this.plan.version === this.data.planVersion ? this.plan.agreement_hash : '',
      client: clientName(),
    }, { toast: false }).then(
      () => {
        this.setData({ signing: false });
        wx.showToast({ title: '协议已签署', icon: 'success' });
        this.finish();
      },
      (err) => {
        if (PLAN_CHANGED.indexOf(err.code) >= 0) return this.reloadPlan(err);
        this.setData({ signing: false, agreementNotice: err.message });
        showErrorToast(err);
        return undefined;
      },
    );
  },

  /** The school published a new version (or the text differs): show the new one, unread. */
  reloadPlan(err) {
    showErrorToast(err);
    return enrollment.getPlan(this.termId, { toast: false }).then(
      (plan) => {
        this.plan = plan;
        this.setData({ signing: false });
        this.showAgreement(err.message || `协议已更新为第 ${plan.version} 版，请重新阅读后签署`);
      },
      (loadErr) => {
        this.setData({ signing: false, readToEnd: false, agreementNotice: `${err.message}（${loadErr.message}）` });
      },
    );
  },

  onLater() {
    this.finish();
  },

  /** Back to the application page (it refreshes on show); open it when there is nothing to go back to. */
  finish() {
    wx.navigateBack({
      delta: 1,
      fail: () => wx.redirectTo({ url: `/pages/application/index?student_id=${this.studentId}` }),
    });
  },

  onRetry: RELOADING.onRetry,
});
