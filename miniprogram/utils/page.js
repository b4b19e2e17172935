/**
 * What the pages share beyond data: how a page loads, the two kinds of modal they ask with, and a mutation's
 * Idempotency-Key kept across taps (and a form saved with it).
 */
const { showErrorToast, uuid } = require('../services/request');

const LOAD_FAILED = '加载失败，请稍后再试';

// A data page's state before its first load (the data loadPage works with).
const NOT_LOADED = { loading: true, loaded: false, errorMessage: '' };

/**
 * Load a page's data the way every data page here does. The first load (while `data.loaded` is false)
 * shows `loading` and, if it fails, the error screen (`errorMessage` with 重新加载); a later load
 * (onShow, pull-down, a timer) keeps what is on screen and says why it did not refresh in a toast
 * (nothing when `quiet`). Only the latest load counts: `work(isLatest)` gets a function telling whether
 * a newer load has started since, and an older load's failure is dropped.
 *
 * `work` puts the data on the page, with `loading: false, loaded: true, errorMessage: ''`.
 *
 *   load() { return loadPage(this, () => fetchIt().then((state) => this.setData({ ...state, loading: false, … }))); }
 */
function loadPage(page, work, { quiet = false } = {}) {
  page.loadSeq = (page.loadSeq || 0) + 1;
  const seq = page.loadSeq;
  const isLatest = () => seq === page.loadSeq;
  const firstLoad = !page.data.loaded;
  if (firstLoad) page.setData({ loading: true, errorMessage: '' });
  return Promise.resolve(isLatest).then(work).catch((err) => {
    if (!isLatest()) return;
    if (firstLoad) page.setData({ loading: false, errorMessage: (err && err.message) || LOAD_FAILED });
    else if (!quiet) showErrorToast(err);
  });
}

/**
 * The handlers of a page whose `load()` reads all it shows, spread into Page({...}): every showing of the
 * page (coming back to it too), a pull-down and 重新加载 (onRetry) load it afresh.
 */
const RELOADING = {
  onShow() {
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onRetry() {
    return this.load();
  },
};

/**
 * An action on one item of a page (停开, 摇号, 选这个, 退选…), one at a time. `page[flag]` is set at once,
 * so a second tap in the same instant does nothing; when `ask()` (a confirm) resolves false, nothing is
 * done; else `data[busyKey]` holds the item's id while `run()` goes (its button spins or is disabled),
 * then the page reloads (`load()`, for what the action changed) and both are cleared. `run` shows its own
 * answer and refusal, and does not reject.
 */
function oneAtATime(page, { flag, busyKey, id, ask, run }) {
  if (page[flag]) return Promise.resolve();
  page[flag] = true;
  const go = () => {
    page.setData({ [busyKey]: id });
    return Promise.resolve().then(run)
      .then(() => page.load())
      .then(() => {
        page[flag] = false;
        page.setData({ [busyKey]: 0 });
      });
  };
  if (!ask) return go();
  return ask().then((ok) => {
    if (ok) return go();
    page[flag] = false;
    return undefined;
  });
}

/** wx.showModal as a promise: true when confirmed; cancelled or failed → false. */
function confirm(options) {
  return new Promise((resolve) => {
    wx.showModal({
      ...options,
      success: (res) => resolve(Boolean(res && res.confirm)),
      fail: () => resolve(false),
    });
  });
}

/** A message to read and close (知道了), for refusals a toast would hide too soon. */
function notice(title, content) {
  wx.showModal({ title, content, showCancel: false, confirmText: '知道了' });
}

/**
 * The Idempotency-Key of a page's mutation, kept across taps: the same request body again (a tap after no answer
 * came) gets the same key, so the server answers it with the first result instead of doing it twice (or refusing
 * it: "already released"); another body gets a new key. `forget()` once the server has answered.
 *
 *   const key = this.releaseKey.keyFor(body); request({ …, data: body, idempotent: true, idempotencyKey: key })
 */
function keyKeeper() {
  let kept = null;
  let key = null;
  return {
    keyFor(body) {
      const json = JSON.stringify(body);
      if (json !== kept) {
        kept = json;
        key = uuid();
      }
      return key;
    },
    forget() {
      kept = null;
      key = null;
    },
  };
}

/**
 * Save a page's form with its Idempotency-Key kept across taps (`keeper`, a keyKeeper()): `data[busy]` is set while
 * `ask()` (a confirm, when given: false → nothing is sent) and then `send(key)` go (its button spins; a second tap
 * meanwhile does nothing, not even a second confirm). Answered → the key is forgotten and
 * `saved(answer)` runs. No answer at all → the key is kept, so the next tap sends the same request under it and gets
 * the first answer (never a second record), and a toast asks for that tap. Refused → the key is forgotten and
 * `refused(err)` says why (by default in a modal). Resolves once all that is done; never rejects.
 *
 *   return sendKept(this, { keeper: this.saveKey, body, send: (key) => api.save(body, { toast: false, idempotencyKey: key }),
 *                           saved: (answer) => …, refused: (err) => … });
 */
function sendKept(page, {
  busy = 'submitting', ask, keeper, body, send, saved, refused = (err) => notice('没有保存', err.message),
}) {
  if (page.data[busy]) return Promise.resolve();
  page.setData({ [busy]: true });
  const go = () => Promise.resolve().then(() => send(keeper.keyFor(body))).then(
    (answer) => {
      keeper.forget();
      return saved(answer);
    },
    (err) => {
      if (err && err.code === 'NETWORK_ERROR') {
        wx.showToast({ title: `没有保存：${err.message}，请再点一次`, icon: 'none', duration: 3000 });
        return undefined;
      }
      keeper.forget();
      return refused(err);
    },
  );
  return (ask ? ask() : Promise.resolve(true))
    .then((ok) => (ok ? go() : undefined))
    .then(() => page.setData({ [busy]: false }));
}

module.exports = { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice, keyKeeper, sendKept };
