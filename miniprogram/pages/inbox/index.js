/**
 * 消息: my messages, newest first. Unread ones are marked; a tap marks one read and opens the page it
 * points to (if any); 全部已读; pull down to refresh; more load at the bottom.
 */
const { inbox, markRead, markAllRead, PAGE_SIZE } = require('../../services/notify');
const { showErrorToast } = require('../../services/request');
const { parseTime, schoolClock, pad } = require('../../utils/format');

const INBOX_ROUTE = 'pages/inbox/index';
const DAY_MS = 24 * 3600 * 1000;

/** "今天 17:23", "昨天 08:05", "3月5日 17:23", "2024年12月30日" — in school time. */
function formatTime(value, nowMs) {
  const t = parseTime(value);
  if (Number.isNaN(t)) return '';
  const local = schoolClock(t);
  const now = schoolClock(nowMs);
  const hm = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  const days = Math.floor(now.getTime() / DAY_MS) - Math.floor(local.getTime() / DAY_MS);
  if (days === 0) return `今天 ${hm}`;
  if (days === 1) return `昨天 ${hm}`;
  const md = `${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
  if (local.getUTCFullYear() === now.getUTCFullYear()) return `${md} ${hm}`;
  return `${local.getUTCFullYear()}年${md}`;
}

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
    timeText: formatTime(message.created_at, nowMs),
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
    loading: true,
    loaded: false,
    errorMessage: '',
    items: [],
    unread: 0,
    total: 0,
    page: 0,
    noMore: false,
    loadingMore: false,
    loadMoreError: '',
    markingAll: false,
  },

  onLoad() {
    return this.refresh();
  },

  onPullDownRefresh() {
    return this.refresh().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    return this.loadMore();
  },

  onRetry() {
    return this.refresh();
  },

  /** Page 1 again, replacing the list. */
  refresh() {
    const firstLoad = !this.data.loaded;
    if (firstLoad) this.setData({ loading: true, errorMessage: '' });
    this.generation = (this.generation || 0) + 1;
    const generation = this.generation;
    return inbox(1, { toast: false }).then(
      (result) => {
        if (generation !== this.generation) return;
        const items = (result.items || []).map((m) => toItem(m, Date.now()));
        this.setData({
          loading: false,
          loaded: true,
          errorMessage: '',
          items,
          unread: result.unread || 0,
          total: result.total || 0,
          page: 1,
          noMore: items.length >= (result.total || 0) || items.length < PAGE_SIZE,
          loadMoreError: '',
        });
      },
      (err) => {
        if (generation !== this.generation) return;
        if (firstLoad) this.setData({ loading: false, errorMessage: err.message });
        else showErrorToast(err); // keep what is shown; say why it did not refresh
      },
    );
  },

  /** The next page, appended (messages that arrived meanwhile shift pages, so skip ids already shown). */
  loadMore() {
    const { loaded, noMore, loadingMore, page } = this.data;
    if (!loaded || noMore || loadingMore) return Promise.resolve();
    this.setData({ loadingMore: true, loadMoreError: '' });
    const generation = this.generation;
    return inbox(page + 1, { toast: false }).then(
      (result) => {
        if (generation !== this.generation) return;
        const seen = {};
        this.data.items.forEach((item) => { seen[item.id] = true; });
        const fresh = (result.items || []).filter((m) => !seen[m.id]).map((m) => toItem(m, Date.now()));
        const items = this.data.items.concat(fresh);
        this.setData({
          items,
          unread: result.unread || 0,
          total: result.total || 0,
          page: page + 1,
          loadingMore: false,
          noMore: (result.items || []).length < PAGE_SIZE || items.length >= (result.total || 0),
        });
      },
      (err) => {
        if (generation !== this.generation) return;
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
