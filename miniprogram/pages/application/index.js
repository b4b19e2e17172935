/**
 * One child's application for the current term: status, details, 审核记录 and what the guardian may
 * do next. Query: student_id.
 *
 *   no answer yet        申请课后服务 · 不参加
 *   submitted            签署协议 · 修改申请 · 撤回申请 · 不参加
 *   class_approved       签署协议 · 撤回申请 · 不参加
 *   approved             签署协议 (when not signed, or signed an older version) · 退出课后服务
 *   rejected             修改后重新提交 · 撤回申请 · 不参加
 *   withdrawn            重新申请 · 不参加
 *   declined             重新申请
 *
 * Applying, editing and signing happen on pages/apply; the server refuses anything out of turn
 * (APPLICATION_STATE), and the page then reloads.
 */
const { me } = require('../../services/auth');
const enrollment = require('../../services/enrollment');
const terms = require('../../services/terms');
const { formatTime } = require('../../utils/format');
const { childOf, roleLabel } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm } = require('../../utils/page');

const WITHDRAWABLE = ['submitted', 'class_approved', 'approved', 'rejected'];
const DECLINABLE = ['none', 'submitted', 'class_approved', 'rejected', 'withdrawn'];
const APPLICABLE = ['none', 'withdrawn', 'declined'];


/** What the guardian may do in this state (the server has the last word). */
function actionsFor(app, plan) {
  const status = app ? app.status : 'none';
  const published = Boolean(plan);
  return {
    apply: published && APPLICABLE.indexOf(status) >= 0,
    applyLabel: status === 'none' ? '申请课后服务' : '重新申请',
    edit: published && status === 'submitted',
    resubmit: published && status === 'rejected',
    sign: published && enrollment.needsSignature(app, plan),
    withdraw: WITHDRAWABLE.indexOf(status) >= 0,
    withdrawLabel: status === 'approved' ? '退出课后服务' : '撤回申请',
    decline: DECLINABLE.indexOf(status) >= 0,
  };
}

function signatureText(app, plan) {
  const sig = app.signature;
  if (!sig) return '未签署';
  const text = `已签署第 ${sig.plan_version} 版（${sig.signer_name}，${formatTime(sig.signed_at, true)}）`;
  return plan && sig.plan_version !== plan.version ? `${text}，协议已更新为第 ${plan.version} 版` : text;
}

function noticeFor(app, plan) {
  if (!app) return '';
  if (app.in_care && !enrollment.needsSignature(app, plan)) return '审定已通过并已签署协议，孩子在本学期课后服务名单中。';
  if (app.status === 'approved' && enrollment.needsSignature(app, plan)) return '审定已通过，签署协议后孩子才能参加课后服务。';
  if (app.status === 'withdrawn' && app.leaves_on) return `已退出，自 ${app.leaves_on} 起不再参加课后服务。`;
  if (app.status === 'declined') return '已选择本学期不参加课后服务。如需参加，可重新申请。';
  return '';
}

function applicationView(app, plan, historyItems) {
  const rejection = historyItems.slice().reverse().find((h) => h.to_status === 'rejected');
  return {
    ...enrollment.applicationFacts(app),
    // what the guardian claimed (the server's `priority` adds what the school's roster knows)
    priorityText: (app.priority_claims || []).map(enrollment.priorityLabel).join('、'),
    declineReason: app.decline_reason || '',
    rejectReason: app.status === 'rejected' && rejection ? rejection.comment || '' : '',
    signatureText: signatureText(app, plan),
    showDetails: app.status !== 'declined',
  };
}

function historyView(items) {
  return items.map((item, index) => ({
    key: index,
    title: enrollment.actionLabel(item.action),
    who: [item.actor_role ? roleLabel(item.actor_role) : '', item.actor_name].filter(Boolean).join(' '),
    at: formatTime(item.at, true),
    comment: item.comment || '',
    statusText: enrollment.statusLabel(item.to_status),
  }));
}

Page({
  data: {
    ...NOT_LOADED,
    child: null,
    termName: '',
    planVersion: 0,
    planMessage: '',
    status: 'none',
    statusLabel: '尚未申请',
    app: null,
    notice: '',
    history: [],
    actions: actionsFor(null, null),
    declineOpen: false,
    declineReason: '',
    busy: false,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
  },

  // onShow: coming back from the apply page shows the new state
  ...RELOADING,

  load() {
    return loadPage(this, () => this.fetch().then((state) => {
      this.setData({ ...state, loading: false, loaded: true, errorMessage: '' });
    }));
  },

  fetch() {
    const opts = { toast: false };
    return me(opts).then((profile) => {
      const child = childOf(profile, this.studentId);
      return terms.currentTerm(child.school_id, opts).then((term) => Promise.all([
        enrollment.getPlan(term.id, opts).then(
          (plan) => ({ plan, planMessage: '' }),
          (err) => {
            if (err.code === 'PLAN_NOT_PUBLISHED') return { plan: null, planMessage: err.message };
            throw err;
          },
        ),
        enrollment.myApplications(term.id, opts),
      ]).then(([{ plan, planMessage }, apps]) => {
        const app = (apps || []).find((a) => a.student_id === this.studentId) || null;
        const historyLoad = app ? enrollment.history(app.id, opts) : Promise.resolve([]);
        return historyLoad.then((items) => {
          this.termId = term.id;
          this.application = app;
          this.plan = plan;
          return {
            child: { name: child.name, meta: [child.class_name, child.school_name].filter(Boolean).join(' · ') },
            termName: term.name,
            planVersion: plan ? plan.version : 0,
            planMessage,
            status: app ? app.status : 'none',
            statusLabel: app ? app.status_label || enrollment.statusLabel(app.status) : enrollment.statusLabel('none'),
            app: app ? applicationView(app, plan, items || []) : null,
            notice: noticeFor(app, plan),
            history: historyView(items || []),
            actions: actionsFor(app, plan),
            declineOpen: false,
            declineReason: '',
          };
        });
      }));
    });
  },

  applyUrl(extra = '') {
    return `/pages/apply/index?student_id=${this.studentId}&term_id=${this.termId}${extra}`;
  },

  goApply() {
    wx.navigateTo({ url: this.applyUrl() });
  },

  goSign() {
    wx.navigateTo({ url: this.applyUrl('&step=sign') });
  },

  goPlan() {
    wx.navigateTo({ url: `/pages/plan/index?term_id=${this.termId}` });
  },

  /**
   * A mutation, one at a time (utils/page.js oneAtATime: `busy` disables the buttons meanwhile), then the page
   * reloads. A refusal is toasted by request.js with the server's Chinese message; the reload then shows the
   * real state when someone else changed it meanwhile (another guardian, the class head: APPLICATION_STATE).
   */
  act(key, call, successTitle, ask) {
    return oneAtATime(this, {
      flag: 'acting',
      busyKey: 'busy',
      id: key,
      ask,
      run: () => call().then(() => wx.showToast({ title: successTitle, icon: 'success' }), () => {}),
    });
  },

  onWithdraw() {
    const app = this.application;
    if (!app) return Promise.resolve();
    const approved = app.status === 'approved';
    return this.act('withdraw', () => enrollment.withdraw(app.id), approved ? '已退出' : '已撤回', () => confirm({
      title: approved ? '退出课后服务' : '撤回申请',
      content: approved
        ? '退出后孩子从明天起不再参加本学期课后服务。确定退出吗？'
        : '撤回后本次申请作废，之后仍可重新申请。确定撤回吗？',
      confirmText: approved ? '确定退出' : '确定撤回',
      confirmColor: '#d64541',
      cancelText: '再想想',
    }));
  },

  onDeclineOpen() {
    this.setData({ declineOpen: true, declineReason: '' });
  },

  onDeclineCancel() {
    this.setData({ declineOpen: false, declineReason: '' });
  },

  onDeclineInput(e) {
    this.setData({ declineReason: e.detail.value });
  },

  onDeclineConfirm() {
    const reason = String(this.data.declineReason || '').trim();
    return this.act('decline', () => enrollment.decline({ studentId: this.studentId, termId: this.termId, reason }), '已提交');
  },
});
