/**
 * 儿童个人信息处理规则 (?version=&school_id= ; from the bind page, 我的 and the privacy popup): the rules as the
 * server has them (GET /privacy/rules, public), section by section, the school's name filled in when known, and the
 * earlier versions (each one tap away, 查看). With ?student_id=&ask=1 (我的 → 阅读并同意新版本) the page ends with the
 * consent ticks for that child (those agreed before ticked again; 花名册与课后服务信息 required) and 同意 → POST
 * /privacy/consents → back to 我的.
 */
const privacy = require('../../services/privacy');
const { loadPage, NOT_LOADED } = require('../../utils/page');
const { scopeChoices, toggled, missingRequired } = require('../../utils/consent');

Page({
  data: {
    ...NOT_LOADED,
    title: '',
    version: '',
    effectiveFrom: '',
    isCurrent: true,
    currentVersion: '',
    sections: [],
    versions: [],
    asking: false,
    studentName: '',
    choices: [],
    consentError: '',
    submitting: false,
  },

  onLoad(query = {}) {
    this.query = query;
    this.studentId = Number(query.student_id) || 0;
    // the ticks begin at what was agreed before (?given=roster,photo), so agreeing again keeps it
    this.checked = query.given ? String(query.given).split(',').filter(Boolean) : [];
    return this.load();
  },

  onRetry() {
    return this.load();
  },

  load() {
    const { version, school_id: schoolId, ask, name } = this.query;
    return loadPage(this, () => privacy.rules({ version, schoolId }, { toast: false, auth: false }).then((rules) => {
      this.rules = rules;
      const asking = Boolean(ask && this.studentId && rules.is_current);
      wx.setNavigationBarTitle({ title: rules.title });
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        title: rules.title,
        version: rules.version,
        effectiveFrom: rules.effective_from,
        isCurrent: rules.is_current,
        currentVersion: rules.current_version,
        sections: rules.sections,
        versions: rules.versions.map((v) => ({ ...v, shown: v.version === rules.version })),
        asking,
        studentName: name ? decodeURIComponent(name) : '',
        choices: asking ? scopeChoices(rules.scopes, this.checked) : [],
      });
    }));
  },

  onOpenVersion(e) {
    const version = e.currentTarget.dataset.version;
    if (version === this.data.version) return;
    const school = this.query.school_id ? `&school_id=${this.query.school_id}` : '';
    wx.navigateTo({ url: `/pages/privacy-rules/index?version=${version}${school}` });
  },

  onToggleScope(e) {
    this.checked = toggled(this.rules.scopes, this.checked, e.currentTarget.dataset.scope);
    this.setData({ choices: scopeChoices(this.rules.scopes, this.checked), consentError: '' });
  },

  onAgree() {
    if (this.data.submitting) return Promise.resolve();
    const missing = missingRequired(this.rules.scopes, this.checked);
    if (missing.length) {
      this.setData({ consentError: `请勾选“${missing.join('、')}”；不同意请回到「我的」撤回` });
      return Promise.resolve();
    }
    this.setData({ submitting: true, consentError: '' });
    return privacy.giveConsent(this.studentId, this.rules.version, this.checked.slice(), { toast: false }).then(() => {
      wx.showToast({ title: '已确认', icon: 'success' });
      wx.navigateBack({ delta: 1, fail: () => wx.redirectTo({ url: '/pages/mine/index' }) });
    }, (err) => {
      if (err.code === 'CONSENT_VERSION_STALE') {
        this.query = { ...this.query, version: '' };
        return this.load().then(() => this.setData({ consentError: '规则刚刚又更新了，请阅读新版本后再确认' }));
      }
      this.setData({ consentError: err.message });
      return undefined;
    }).then(() => this.setData({ submitting: false }));
  },
});
