/**
 * 临时接送人 (guardian; home → a child's card → 临时接送; query: student_id): the adults a guardian allowed to take this
 * child for some days (临时授权), with their status — 待对方确认 / 已生效 / 已撤销 / 已过期 — and 撤销 (confirm) while
 * one is waiting or in force.
 *
 * 添加: name, phone, relation (姑姑、邻居…), from – to (at most about three months, from today) → POST /pickup/delegates
 * → the invitation, shown once: 发给对方 (<button open-type="share">: the delegate opens pages/delegate-accept with the
 * one-time code, enters the phone given here, and from then on their own 接送码 takes this child on those days).
 * The server keeps only the code's hash: leaving the page loses the invitation (revoke and name them again).
 */
const { me } = require('../../services/auth');
const pickup = require('../../services/pickup');
const { addDays } = require('../../services/attendance');
const { shanghaiToday } = require('../../utils/format');
const { childOf } = require('../../utils/roles');
const { normalisePhone, phoneProblem } = require('../../utils/phone');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm } = require('../../utils/page');

const MAX_DAYS = 92; // DelegateIn: to − from at most 92 days
const OPEN_STATUSES = ['invited', 'accepted'];
// server field (DelegateIn) → the form's error key
const SERVER_FIELDS = { name: 'nameError', phone: 'phoneError', relation: 'relationError', from: 'fromError', to: 'toError' };
const EMPTY_ERRORS = { nameError: '', phoneError: '', relationError: '', fromError: '', toError: '', formError: '' };

/** '2026-11-24', '2026-11-27' → '11月24日 至 11月27日'; one day → '11月24日'. */
function rangeText(from, to) {
  return from === to ? pickup.monthDay(from) : `${pickup.monthDay(from)} 至 ${pickup.monthDay(to)}`;
}

function delegateView(d) {
  return {
    id: d.id,
    who: pickup.personText(d.name, d.relation),
    phone: d.phone,
    dates: rangeText(d.from, d.to),
    status: d.status,
    statusLabel: d.status_label,
    grantedBy: d.granted_by,
    open: OPEN_STATUSES.indexOf(d.status) >= 0,
  };
}

function validate(form, today) {
  const errors = { ...EMPTY_ERRORS };
  if (!form.name) errors.nameError = '请输入对方姓名';
  errors.phoneError = phoneProblem(form.phone, '请输入对方手机号');
  if (!form.relation) errors.relationError = '请填写与孩子的关系，如 姑姑、邻居';
  if (form.from < today) errors.fromError = '开始日期不能早于今天';
  if (form.to < form.from) errors.toError = '结束日期不能早于开始日期';
  else if (form.to > addDays(form.from, MAX_DAYS)) errors.toError = `临时授权最长 ${MAX_DAYS} 天`;
  return errors;
}

function hasErrors(errors) {
  return Object.keys(errors).some((key) => errors[key]);
}

Page({
  data: {
    ...NOT_LOADED,
    childName: '',
    delegates: [],
    busyId: 0,
    // the form
    adding: false,
    name: '',
    phone: '',
    relation: '',
    from: '',
    to: '',
    today: '',
    lastDay: '',
    ...EMPTY_ERRORS,
    submitting: false,
    // the invitation just made (shown once)
    invite: null,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    const today = shanghaiToday();
    this.setData({ today, from: today, to: today, lastDay: addDays(today, MAX_DAYS) });
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      if (!this.studentId) throw new Error('未找到该孩子，请从首页重新进入');
      const context = this.child ? Promise.resolve(this.child) : me(opts).then((profile) => childOf(profile, this.studentId));
      return context.then((child) => {
        this.child = child;
        return pickup.listDelegates(this.studentId, opts);
      }).then((list) => {
        if (!isLatest()) return;
        this.setData({
          childName: this.child.name,
          delegates: (list || []).map(delegateView),
          loading: false,
          loaded: true,
          errorMessage: '',
        });
      });
    });
  },

  // ---------- revoke ----------

  onRevoke(e) {
    const id = Number(e.currentTarget.dataset.id);
    const delegate = this.data.delegates.find((d) => d.id === id);
    if (!delegate) return Promise.resolve();
    return oneAtATime(this, {
      flag: 'revoking',
      busyKey: 'busyId',
      id,
      ask: () => confirm({
        title: '撤销临时授权？',
        content: `${delegate.who} 将立即不能再接${this.child.name}。`,
        confirmText: '撤销',
        confirmColor: '#d64541',
      }),
      run: () => pickup.revokeDelegate(id, { toast: false }).then(
        () => wx.showToast({ title: '已撤销', icon: 'success' }),
        (err) => wx.showToast({ title: err.message, icon: 'none' }),
      ),
    });
  },

  // ---------- add ----------

  onAdd() {
    this.setData({ adding: true, invite: null, ...EMPTY_ERRORS });
  },

  onCancelAdd() {
    this.setData({ adding: false, ...EMPTY_ERRORS });
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [field]: e.detail.value, [`${field}Error`]: '', formError: '' });
  },

  /** From / to: the end follows a start moved past it, and stays within MAX_DAYS of the start. */
  onPickDate(e) {
    const field = e.currentTarget.dataset.field;
    const value = e.detail.value;
    const update = { [field]: value, fromError: '', toError: '', formError: '' };
    if (field === 'from') {
      update.lastDay = addDays(value, MAX_DAYS);
      if (this.data.to < value) update.to = value;
      else if (this.data.to > update.lastDay) update.to = update.lastDay;
    }
    this.setData(update);
  },

  onSubmit() {
    if (this.data.submitting) return Promise.resolve();
    const form = {
      studentId: this.studentId,
      name: String(this.data.name || '').trim(),
      phone: normalisePhone(this.data.phone),
      relation: String(this.data.relation || '').trim(),
      from: this.data.from,
      to: this.data.to,
    };
    const errors = validate(form, shanghaiToday());
    this.setData(errors);
    if (hasErrors(errors)) return Promise.resolve();
    this.setData({ submitting: true });
    return pickup.createDelegate(form, { toast: false }).then(
      (created) => {
        this.setData({
          submitting: false,
          adding: false,
          name: '',
          phone: '',
          relation: '',
          invite: {
            who: pickup.personText(created.name, created.relation),
            dates: rangeText(created.from, created.to),
            code: created.invite_code,
            path: pickup.sharePath(created.invite_path),
          },
        });
        return this.load();
      },
      (err) => {
        const update = { submitting: false };
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((key) => SERVER_FIELDS[key]);
        known.forEach((key) => { update[SERVER_FIELDS[key]] = fields[key]; });
        if (!known.length) update.formError = fields.body || err.message;
        this.setData(update);
      },
    );
  },

  /** 发给对方 (and the ··· menu while an invitation is on screen): the delegate's page with the one-time code. */
  onShareAppMessage() {
    const invite = this.data.invite;
    if (!invite) return { title: '课后 · 安心接送', path: '/pages/home/index' };
    return {
      title: `请您帮忙接${this.child.name}（${invite.dates}），点开确认`,
      path: invite.path,
    };
  },

  onCloseInvite() {
    this.setData({ invite: null });
  },
});
