/**
 * 消息: my messages, newest first. Unread ones are marked; a tap marks one read and opens the page it
 * points to (if any); 全部已读; pull down to refresh; more load at the bottom.
 *
 * Loaded on onLoad, not onShow: coming back from a message's page keeps the pages loaded so far.
 */
const { inbox, markRead, markAllRead, PAGE_SIZE } = require('../../services/notify');
const { showErrorToast } = require('../../services/request');
const { formatRecent } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');

const INBOX_ROUTE = 'pages/inbox/index';

/** The message's page as a navigateTo url ('/pages/x/index?a=b'), or '' when there is none worth opening. */
function targetUrl(page) {
  const raw = String(page || '').trim();
  if (!raw) return '';
  const url = raw[0] === '/' ? raw : `/${raw}`;
  const route = url.slice(1).split('?')[0];
  return route === INBOX_ROUTE ? '' : url;
}

function toItem(message, nowMs) {
  return {
    id: message.id,
    title: message.title,
    body: message.body,
    read: Boolean(message.read),
    timeText: formatRecent(message.created_at, nowMs),
    target: targetUrl(message.page),
  };
}

/** Open a message's page: go back to it when it is already open below us, otherwise open it. */
function openTarget(url) {
  const route = url.slice(1).split('?')[0];
  const stack = typeof getCurrentPages === 'function' ? getCurrentPages() || [] : [];
  if (url.indexOf('?') < 0) {
    for (let i = stack.length - 2; i >= 0; i -= 1) {
      if (stack[i] && stack[i].route === route) {
        wx.navigateBack({ delta: stack.length - 1 - i });
        return;
      }
    }
  }
  wx.navigateTo({
    url,
    // the page stack is full (10 pages), or the target is not a normal page
    fail: () => wx.reLaunch({
      url,
      fail: () => wx.showToast({ title: '暂时无法打开该页面', icon: 'none' }),
    }),
  });
}

Page({
  data: {
    ...NOT_LOADED,
    items: [],
    unread: 0,
    page: 0,
    noMore: false,
    loadingMore: false,
    loadMoreError: '',
    markingAll: false,
  },

  onLoad() {
    return this.load();
  },

  onPullDownRefresh: RELOADING.onPullDownRefresh,

  onRetry: RELOADING.onRetry,

  onReachBottom() {
    return this.loadMore();
  },

  /** Page 1 again, replacing the list (utils/page.js loadPage: error screen at first, a toast later). */
  load() {
    return loadPage(this, (isLatest) => inbox(1, { toast: false }).then((result) => {
      if (!isLatest()) return;
      this.listVersion = (this.listVersion || 0) + 1;
      const items = (result.items || []).map((m) => toItem(m, Date.now()));
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        items,
        unread: result.unread || 0,
        page: 1,
        noMore: items.length >= (result.total || 0) || items.length < PAGE_SIZE,
        loadingMore: false,
        loadMoreError: '',
      });
    }));
  },

  /** The next page, appended (messages that arrived meanwhile shift pages, so skip ids already shown). */
  loadMore() {
    const { loaded, noMore, loadingMore, page } = this.data;
    if (!loaded || noMore || loadingMore) return Promise.resolve();
    this.setData({ loadingMore: true, loadMoreError: '' });
    // a refresh that replaced the list meanwhile makes this page's answer stale: it is dropped
    const version = this.listVersion;
    return inbox(page + 1, { toast: false }).then(
      (result) => {
        if (version !== this.listVersion) return;
        const seen = {};
        this.data.items.forEach((item) => { seen[item.id] = true; });
        const fresh = (result.items || []).filter((m) => !seen[m.id]).map((m) => toItem(m, Date.now()));
        const items = this.data.items.concat(fresh);
        this.setData({
          items,
          unread: result.unread || 0,
          page: page + 1,
          loadingMore: false,
          noMore: (result.items || []).length < PAGE_SIZE || items.length >= (result.total || 0),
        });
      },
      (err) => {
        if (version !== this.listVersion) return;
        this.setData({ loadingMore: false, loadMoreError: err.message || '加载失败' });
      },
    );
  },

  onTapItem(e) {
    const id = Number(e.currentTarget.dataset.id);
    const index = this.data.items.findIndex((item) => item.id === id);
    if (index < 0) return Promise.resolve();
    const item = this.data.items[index];
    let done = Promise.resolve();
    if (!item.read) {
      this.setData({ [`items[${index}].read`]: true, unread: Math.max(0, this.data.unread - 1) });
      done = markRead(id, { toast: false }).then(() => {}, (err) => {
        // not saved: show it unread again, so the count stays true
        const at = this.data.items.findIndex((it) => it.id === id);
        if (at >= 0 && this.data.items[at].read) {
          this.setData({ [`items[${at}].read`]: false, unread: this.data.unread + 1 });
        }
        showErrorToast(err);
      });
    }
    if (item.target) openTarget(item.target);
    return done;
  },

  onReadAll() {
    if (this.data.markingAll || this.data.unread === 0) return Promise.resolve();
    this.setData({ markingAll: true });
    return markAllRead({ toast: false }).then(
      () => {
        const update = { markingAll: false, unread: 0 };
        this.data.items.forEach((item, index) => {
          if (!item.read) update[`items[${index}].read`] = true;
        });
        this.setData(update);
        wx.showToast({ title: '已全部标为已读', icon: 'none' });
      },
      (err) => {
        this.setData({ markingAll: false });
        showErrorToast(err);
      },
    );
  },
});
