/**
 * Home: who am I (GET /me) and what I can do here. A person may be a guardian and staff at once,
 * so every section that applies is shown. Also: the 消息 entry with the unread count, and for
 * guardians the 接送码 button (also for someone a guardian named to pick up, who may have no child of their own),
 * the 开启微信提醒 card (WeChat subscribe messages, asked from a tap), 我的 · 隐私与授权 (pages/mine), and a banner
 * when the 儿童个人信息处理规则 changed and a child's consent is asked again (GET /me children[].consent.needed).
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const notify = require('../../services/notify');
const {
  STAFF_ROLES, ADMIN_ENTRIES, PICKUP_CODE_URL, roleLabel, staffEntriesFor, childActionsFor,
} = require('../../utils/roles');

const SETTINGS_PATH = '右上角「···」→「设置」→「订阅消息」';
// wx.requestSubscribeMessage fail codes (WeChat's documentation of the API).
const SUBSCRIBE_ERRORS = {
  20004: `您关闭了本小程序的订阅消息总开关，微信无法发出提醒。请在${SETTINGS_PATH}中打开后再试。`,
  10002: '网络不给力，没能打开提醒设置，请稍后再试',
  10003: '网络不给力，提醒设置没有发出，请稍后再试',
  10005: '没能显示提醒设置窗口，请回到小程序后再点一次',
  '-1': '当前微信版本过低，请升级微信后再开启提醒',
};
// Codes after which opening the settings page helps.
const SETTINGS_ERRORS = [20004];

function unreadText(count) {
  if (!count) return '';
  return count > 99 ? '99+' : String(count);
}

function viewModel(profile) {
  const roles = profile.roles || [];
  const children = profile.children || [];
  const schools = profile.schools || [];
  const isStaff = roles.some((role) => STAFF_ROLES.indexOf(role) >= 0);
  const isAdmin = roles.indexOf('admin') >= 0;
  const isDistrict = roles.indexOf('district') >= 0;
  const isGuardian = roles.indexOf('guardian') >= 0 || children.length > 0;
  const staffEntries = staffEntriesFor(roles);
  return {
    greeting: profile.name ? `${profile.name}，您好` : '您好',
    rolesText: roles.map(roleLabel).join(' · '),
    // Someone with no role yet is most likely a parent who has not bound a child.
    showGuardian: isGuardian || (!isStaff && !isAdmin && !isDistrict),
    consentNeeded: children.some((child) => child.consent && child.consent.needed),
    isStaff,
    isAdmin,
    isDistrict,
    children: children.map((child) => ({
      id: child.id,
      name: child.name,
      relation: child.relation || '',
      meta: [child.class_name, child.school_name].filter(Boolean).join(' · '),
      actions: childActionsFor(child.id),
    })),
    workSchools: schools
      .filter((school) => (school.roles || []).some((role) => role !== 'district'))
      .map((school) => ({
        id: school.id,
        name: school.name,
        rolesText: school.roles.filter((role) => role !== 'district').map(roleLabel).join('、'),
      })),
    staffEntries,
    // an entry the workbench already has (今日托管) is not repeated under 学校管理
    adminEntries: ADMIN_ENTRIES.filter((entry) => !staffEntries.some((e) => e.key === entry.key)),
  };
}

Page({
  data: {
    loading: true,
    errorMessage: '',
    loaded: false,
    greeting: '您好',
    rolesText: '',
    showGuardian: false,
    consentNeeded: false,
    isStaff: false,
    isAdmin: false,
    isDistrict: false,
    children: [],
    workSchools: [],
    staffEntries: [],
    adminEntries: [],
    unread: 0,
    unreadText: '',
    // 开启微信提醒 (guardians with a child, when the server has templates)
    showSubscribe: false,
    subscribeEnabledText: '',
    subscribeButtonText: '',
    subscribing: false,
    subscribeResult: '',
    subscribeHint: '',
    subscribeSettingsLink: false,
  },

  onShow() {
    // onShow (not onLoad) so the page refreshes when the bind page or the inbox navigates back.
    return Promise.all([this.load(), this.loadUnread()]);
  },

  onPullDownRefresh() {
    return Promise.all([this.load(), this.loadUnread()]).then(() => wx.stopPullDownRefresh());
  },

  load() {
    const firstLoad = !this.data.loaded;
    if (firstLoad) this.setData({ loading: true, errorMessage: '' });
    return me({ toast: false }).then(
      (profile) => {
        const model = viewModel(profile);
        this.setData({ ...model, loading: false, loaded: true, errorMessage: '' });
        // only a guardian with a child gets messages about children
        if (model.showGuardian && model.children.length) return this.loadSubscribe();
        this.subscribeState = null;
        this.setData({ showSubscribe: false });
        return null;
      },
      (err) => {
        if (firstLoad) {
          this.setData({ loading: false, errorMessage: err.message });
        } else {
          // keep showing what we have; say why it did not refresh
          showErrorToast(err);
        }
      },
    );
  },

  onRetry() {
    return Promise.all([this.load(), this.loadUnread()]);
  },

  /** The unread count for the 消息 entry; a failure just leaves the last count. */
  loadUnread() {
    return notify.inbox(1, { pageSize: 1, toast: false }).then(
      (result) => {
        const unread = (result && result.unread) || 0;
        this.setData({ unread, unreadText: unreadText(unread) });
      },
      () => {},
    );
  },

  /** Templates and my subscriptions, so a tap can call wx.requestSubscribeMessage at once. */
  loadSubscribe() {
    return Promise.all([notify.templates({ toast: false }), notify.subscriptions({ toast: false })]).then(
      ([templates, subscriptions]) => {
        this.subscribeState = { templates: templates || [], subscriptions: subscriptions || [] };
        this.showSubscribePlan();
      },
      () => {
        // not worth an error on the home page: the inbox still gets every message
        if (!this.subscribeState) this.setData({ showSubscribe: false });
      },
    );
  },

  showSubscribePlan() {
    const { templates, subscriptions } = this.subscribeState;
    const plan = notify.subscribePlan(templates, subscriptions);
    this.subscribeBatch = plan.batch;
    let buttonText = '';
    if (plan.batch.length) {
      if (plan.pending.length) {
        buttonText = plan.enabled.length ? `继续开启（还有 ${plan.pending.length} 项）` : '开启微信提醒';
      } else {
        buttonText = '再订阅一次提醒';
      }
    }
    this.setData({
      showSubscribe: templates.length > 0,
      subscribeEnabledText: plan.enabled.map((t) => t.title).join('、'),
      subscribeButtonText: buttonText,
    });
  },

  /**
   * The 开启微信提醒 tap. WeChat only shows the popup when wx.requestSubscribeMessage is called from the
   * tap itself, so everything it needs was loaded before; at most 3 ids, never long-term and one-time mixed.
   */
  onSubscribe() {
    const batch = this.subscribeBatch || [];
    if (this.data.subscribing || !batch.length) return Promise.resolve();
    const ids = batch.map((t) => t.template_id);
    const titles = {};
    batch.forEach((t) => { titles[t.template_id] = t.title; });
    this.setData({ subscribing: true, subscribeResult: '', subscribeHint: '', subscribeSettingsLink: false });
    return notify.requestSubscribe(ids).then(
      (results) => this.saveSubscribeResults(results, titles),
      (err) => {
        const code = err && err.errCode !== undefined ? String(err.errCode) : '';
        this.setData({
          subscribing: false,
          subscribeHint: SUBSCRIBE_ERRORS[code]
            || `微信提醒暂时无法开启${code ? `（错误码 ${code}）` : ''}，消息仍会出现在「消息」中。`,
          subscribeSettingsLink: SETTINGS_ERRORS.indexOf(Number(code)) >= 0,
        });
      },
    );
  },

  saveSubscribeResults(results, titles) {
    const ids = Object.keys(results);
    const accepted = ids.filter((id) => results[id] === 'accept').map((id) => titles[id]);
    const declined = ids.filter((id) => results[id] !== 'accept').map((id) => titles[id]);
    if (!ids.length) {
      this.setData({ subscribing: false, subscribeHint: '微信没有返回提醒设置，请稍后再试' });
      return Promise.resolve();
    }
    return notify.saveSubscriptions(results, { toast: false }).then(
      (subscriptions) => {
        this.subscribeState.subscriptions = subscriptions || [];
        this.showSubscribePlan();
        const update = { subscribing: false, subscribeResult: '', subscribeHint: '', subscribeSettingsLink: false };
        if (accepted.length) {
          update.subscribeResult = `已开启：${accepted.join('、')}`
            + (declined.length ? `；未开启：${declined.join('、')}` : '');
          wx.showToast({ title: '已开启微信提醒', icon: 'success' });
        } else {
          update.subscribeHint = '您没有允许微信提醒，消息仍会出现在「消息」中。'
            + `需要时可再点一次按钮；如果不再弹出窗口，请在${SETTINGS_PATH}中打开。`;
          update.subscribeSettingsLink = true;
        }
        this.setData(update);
      },
      (err) => {
        this.setData({
          subscribing: false,
          subscribeHint: `提醒设置没有保存：${err.message}。请稍后再点一次按钮。`,
        });
      },
    );
  },

  openSubscribeSettings() {
    wx.openSetting({ withSubscriptions: true });
  },

  goInbox() {
    wx.navigateTo({ url: '/pages/inbox/index' });
  },

  goBind() {
    wx.navigateTo({ url: '/pages/bind/index' });
  },

  goMine() {
    wx.navigateTo({ url: '/pages/mine/index' });
  },

  goPickupCode() {
    wx.navigateTo({ url: PICKUP_CODE_URL });
  },

  /** A work entry or a child's link: open its page; one without a page yet says so. */
  onEntry(e) {
    const url = e.currentTarget.dataset.url;
    if (!url) {
      this.onSoon();
      return;
    }
    wx.navigateTo({
      url,
      fail: () => wx.showToast({ title: '该功能暂未开放，请稍后再试', icon: 'none' }),
    });
  },

  onSoon() {
    wx.showToast({ title: '即将上线，敬请期待', icon: 'none' });
  },
});
