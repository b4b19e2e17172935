/**
 * Messages (站内消息) and WeChat subscribe messages (订阅消息).
 *
 * The inbox never fails to receive a message; WeChat messages need the person's consent, asked with
 * wx.requestSubscribeMessage from a tap (WECHAT.md): at most 3 template ids a call, and one-time and
 * long-term templates never in the same call.
 */
const { request } = require('./request');

const PAGE_SIZE = 20;
// WeChat shows at most 3 templates in one subscribe popup.
const MAX_TEMPLATES_PER_CALL = 3;
// Asked for first when not every template fits in one popup: safety first, paperwork last.
const SUBSCRIBE_PRIORITY = [
  'picked_up', 'late_pickup', 'absent', 'arrived', 'incident', 'leave_decision', 'application_decision', 'club_result',
];

/**
 * One page of my messages, newest first.
 * GET /inbox?page=&page_size= → {items: [{id, event, title, body, page, created_at, read}], total, page,
 * page_size, unread}
 */
function inbox(page = 1, options = {}) {
  const { pageSize = PAGE_SIZE, ...rest } = options;
  return request({ url: '/inbox', data: { page, page_size: pageSize }, ...rest });
}

/** POST /inbox/{id}/read → the message, read. Reading twice is harmless, so it may be retried. */
function markRead(id, options = {}) {
  return request({ url: `/inbox/${id}/read`, method: 'POST', idempotent: true, ...options });
}

/** POST /inbox/read-all → {updated} */
function markAllRead(options = {}) {
  return request({ url: '/inbox/read-all', method: 'POST', idempotent: true, ...options });
}

/** GET /notifications/templates → [{event, title, template_id, long_term}] (only configured ones). */
function templates(options = {}) {
  return request({ url: '/notifications/templates', ...options });
}

/** GET /notifications/subscriptions → [{template_id, event, long_term, remaining, last_choice}] */
function subscriptions(options = {}) {
  return request({ url: '/notifications/subscriptions', ...options });
}

/**
 * Record what wx.requestSubscribeMessage answered: {<template id>: 'accept' | 'reject' | 'ban' | 'filter'}.
 * POST /notifications/subscriptions → the same list as GET. Idempotent: each one-time acceptance allows
 * exactly one send, so a retry after a lost answer must not count it twice.
 */
function saveSubscriptions(results, options = {}) {
  return request({
    url: '/notifications/subscriptions',
    method: 'POST',
    data: { results },
    idempotent: true,
    ...options,
  });
}

function priorityOf(template) {
  const index = SUBSCRIBE_PRIORITY.indexOf(template.event);
  return index < 0 ? SUBSCRIBE_PRIORITY.length : index;
}

/**
 * What to ask for on the next tap, given the templates and my subscriptions.
 *   batch       ≤ 3 templates, all long-term or all one-time: long-term ones not yet switched on come first;
 *               when every long-term one is on, the one-time ones with the fewest sends left
 *   enabled     templates that can reach me now (long-term on, or one-time with sends left)
 *   pending     long-term templates not switched on yet
 */
function subscribePlan(allTemplates, mySubscriptions) {
  const byId = {};
  (mySubscriptions || []).forEach((sub) => { byId[sub.template_id] = sub; });
  const sorted = (allTemplates || []).slice().sort((a, b) => priorityOf(a) - priorityOf(b));
  const isOn = (t) => {
    const sub = byId[t.template_id];
    if (!sub) return false;
    return t.long_term ? Boolean(sub.long_term) : sub.remaining > 0;
  };
  const remaining = (t) => (byId[t.template_id] ? byId[t.template_id].remaining || 0 : 0);
  const pending = sorted.filter((t) => t.long_term && !isOn(t));
  const oneTime = sorted.filter((t) => !t.long_term)
    .map((t, index) => ({ t, index }))
    .sort((a, b) => remaining(a.t) - remaining(b.t) || a.index - b.index)
    .map((entry) => entry.t);
  const batch = (pending.length ? pending : oneTime).slice(0, MAX_TEMPLATES_PER_CALL);
  return { batch, enabled: sorted.filter(isOn), pending };
}

/**
 * wx.requestSubscribeMessage as a promise. Call it straight from a tap handler (WeChat refuses it
 * otherwise, and after an await of a network call). Resolves with {<template id>: choice} for the ids
 * asked; rejects with WeChat's {errCode, errMsg}.
 */
function requestSubscribe(tmplIds) {
  return new Promise((resolve, reject) => {
    if (typeof wx.requestSubscribeMessage !== 'function') {
      reject({ errCode: -1, errMsg: 'requestSubscribeMessage:fail not supported' });
      return;
    }
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => {
        const results = {};
        tmplIds.forEach((id) => {
          if (res && typeof res[id] === 'string') results[id] = res[id];
        });
        resolve(results);
      },
      fail: (err) => reject(err || {}),
    });
  });
}

module.exports = {
  PAGE_SIZE,
  inbox,
  markRead,
  markAllRead,
  templates,
  subscriptions,
  saveSubscriptions,
  subscribePlan,
  requestSubscribe,
};
