/**
 * Bind a child: 学号 + 学生姓名 + 家长手机号 must match what the school registered, and the guardian agrees to the
 * 儿童个人信息处理规则 (GET /privacy/rules, public) with a tick per scope: 花名册与课后服务信息 is required, 照片 and
 * 消息通知 are optional (PIPL: separate consent). The rules' sections are shown on the page, the whole text one tap
 * away (pages/privacy-rules). Checks the obvious locally (no request without the required tick); the server decides
 * (and rate-limits wrong guesses). A rules version published meanwhile (CONSENT_VERSION_STALE) → the new rules are
 * loaded, the ticks cleared, and the guardian asked to read and tick again.
 */
const { bindChild } = require('../../services/guardian');
const privacy = require('../../services/privacy');
const { showErrorToast } = require('../../services/request');
const { normalisePhone, phoneProblem } = require('../../utils/phone');
const { scopeChoices, toggled, missingRequired } = require('../../utils/consent');

// server field name → [data key for the inline error, label used in front of the server's text]
const SERVER_FIELDS = {
  student_no: ['studentNoError', '学号'],
  student_name: ['studentNameError', '学生姓名'],
  phone: ['phoneError', '手机号'],
};
const RULES_CHANGED = '《儿童个人信息处理规则》刚刚更新，请阅读新版本后重新勾选。';

function validate({ studentNo, studentName, phone }) {
  const errors = { studentNoError: '', studentNameError: '', phoneError: '' };
  if (!studentNo) errors.studentNoError = '请输入学号';
  if (!studentName) errors.studentNameError = '请输入学生姓名';
  errors.phoneError = phoneProblem(phone, '请输入家长手机号');
  return errors;
}

function hasErrors(errors) {
  return Object.keys(errors).some((key) => errors[key]);
}

Page({
  data: {
    studentNo: '',
    studentName: '',
    phone: '',
    studentNoError: '',
    studentNameError: '',
    phoneError: '',
    formError: '',
    submitting: false,
    // the processing rules and the ticks
    rulesLoading: true,
    rulesError: '',
    rulesTitle: '',
    rulesVersion: '',
    sections: [],
    choices: [],
    consentError: '',
  },

  onLoad() {
    this.checked = [];
    return this.loadRules();
  },

  loadRules() {
    this.setData({ rulesLoading: true, rulesError: '' });
    return privacy.rules({}, { toast: false, auth: false }).then((rules) => {
      this.rules = rules;
      this.checked = [];
      this.setData({
        rulesLoading: false,
        rulesTitle: rules.title,
        rulesVersion: rules.version,
        sections: rules.sections.filter((s) => s.title),
        choices: scopeChoices(rules.scopes, this.checked),
      });
    }, (err) => {
      this.setData({ rulesLoading: false, rulesError: err.message });
    });
  },

  onRetryRules() {
    return this.loadRules();
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [field]: e.detail.value, [`${field}Error`]: '', formError: '' });
  },

  onToggleScope(e) {
    if (!this.rules) return;
    this.checked = toggled(this.rules.scopes, this.checked, e.currentTarget.dataset.scope);
    this.setData({ choices: scopeChoices(this.rules.scopes, this.checked), consentError: '' });
  },

  onReadRules() {
    wx.navigateTo({ url: `/pages/privacy-rules/index?version=${this.data.rulesVersion}` });
  },

  onSubmit() {
    if (this.data.submitting || !this.rules) return Promise.resolve();
    const form = {
      studentNo: String(this.data.studentNo || '').trim(),
      studentName: String(this.data.studentName || '').trim(),
      phone: normalisePhone(this.data.phone),
    };
    const errors = validate(form);
    const missing = missingRequired(this.rules.scopes, this.checked);
    const consentError = missing.length ? `请阅读规则并勾选“${missing.join('、')}”，否则无法绑定孩子` : '';
    if (hasErrors(errors) || consentError) {
      this.setData({ ...errors, formError: '', consentError });
      return Promise.resolve();
    }

    this.setData({ ...errors, formError: '', consentError: '', submitting: true });
    const consent = { version: this.rules.version, scopes: this.checked.slice() };
    return bindChild({ ...form, consent }, { toast: false }).then(
      (result) => {
        this.setData({ submitting: false });
        const name = (result && result.student && result.student.name) || '孩子';
        wx.showToast({ title: `已绑定${name}`, icon: 'success' });
        wx.navigateBack({
          delta: 1,
          fail: () => wx.reLaunch({ url: '/pages/home/index' }),
        });
      },
      (err) => {
        const update = { submitting: false };
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((key) => SERVER_FIELDS[key]);
        if (known.length) {
          known.forEach((key) => {
            const [dataKey, label] = SERVER_FIELDS[key];
            update[dataKey] = `${label}${fields[key]}`;
          });
          this.setData(update);
          wx.showToast({ title: '请检查标红的内容', icon: 'none' });
          return undefined;
        }
        if (err.code === 'CONSENT_VERSION_STALE') {
          this.setData(update);
          return this.loadRules().then(() => this.setData({ consentError: RULES_CHANGED }));
        }
        if (err.code === 'CONSENT_REQUIRED') {
          update.consentError = err.message;
        } else if (err.code === 'BIND_NOT_MATCHED' || err.code === 'BIND_RATE_LIMITED'
            || err.code === 'GUARDIAN_ALREADY_BOUND') {
          update.formError = err.message;
        }
        this.setData(update);
        showErrorToast(err);
        return undefined;
      },
    );
  },
});
