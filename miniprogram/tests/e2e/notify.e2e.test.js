/**
 * @jest-environment jsdom
 *
 * End to end: messages and WeChat subscriptions against the real backend (tests/e2e/backend.js).
 * jsdom, so the real inbox and home pages can be rendered with miniprogram-simulate while their
 * requests go over Node's http to the demo server.
 *
 * The demo school seeds no messages, so the test makes the school send some the way it really does:
 * the demo guardian re-applies for the younger child (一年级1班), the class head (demo-classhead) rejects,
 * the guardian resubmits, the class head and the admin (demo-admin) approve — two
 * `application_decision` messages in the guardian's inbox.
 */
require('miniprogram-simulate');
const { request } = require('../../services/request');
const notify = require('../../services/notify');
const { pageToComponent } = require('../helpers/page-shim');
const { renderPage, text, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createNodeWx, actAs } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

// a few seconds per step on a loaded machine; the project's testTimeout does not reach this file
jest.setTimeout(60000);

/** Wait until fn() is truthy (pages answer over real HTTP, so there is no fixed number of ticks). */
async function until(fn, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeIfBackend('messages and subscriptions against the real backend (demo-server)', () => {
  useDemoBackend('demo-guardian');
  let wxImpl;

  function makeWx() {
    const impl = createNodeWx();
    impl.navigateTo = jest.fn();
    impl.navigateBack = jest.fn();
    impl.reLaunch = jest.fn();
    impl.stopPullDownRefresh = jest.fn();
    return impl;
  }

  beforeEach(() => {
    wxImpl = makeWx();
    global.wx = wxImpl;
    actAs('demo-guardian');
  });

  test('the school decides twice on an application; the guardian reads, marks read, unread drops', async () => {
    const before = await notify.inbox(1);
    expect(before).toEqual(expect.objectContaining({ items: expect.any(Array), unread: expect.any(Number) }));

    // the guardian withdraws the younger child's approved application and applies again
    const apps = await request({ url: '/applications' });
    const app = apps.find((a) => a.status === 'approved');
    expect(app).toBeTruthy();
    await request({ url: `/applications/${app.id}/withdraw`, method: 'POST', data: { reason: '测试：重新申请' } });
    const again = await request({
      url: '/applications', method: 'POST',
      data: { student_id: app.student_id, term_id: app.term_id, weekdays: [1, 2, 3, 4, 5] },
    });
    expect(again.status).toBe('submitted');

    actAs('demo-classhead');
    await request({ url: `/applications/${app.id}/review`, method: 'POST',
      data: { decision: 'reject', comment: '请补充接送人信息' } });
    actAs('demo-guardian');
    await request({ url: `/applications/${app.id}`, method: 'PATCH', data: { weekdays: [1, 2, 3, 4] } });
    actAs('demo-classhead');
    await request({ url: `/applications/${app.id}/review`, method: 'POST', data: { decision: 'approve' } });
    actAs('demo-admin');
    const decided = await request({ url: `/applications/${app.id}/review`, method: 'POST', data: { decision: 'approve' } });
    expect(decided.status).toBe('approved');

    // the guardian's inbox, through the service: newest first, both unread
    actAs('demo-guardian');
    const inbox = await notify.inbox(1);
    expect(inbox.unread).toBe(before.unread + 2);
    expect(inbox.total).toBe(before.total + 2);
    const [approved, rejected] = inbox.items;
    expect(approved).toEqual(expect.objectContaining({
      event: 'application_decision', title: '课后服务申请已通过', read: false,
      page: `pages/application/index?student_id=${app.student_id}`,
    }));
    expect(approved.body).toContain(app.student_name);
    expect(rejected).toEqual(expect.objectContaining({ event: 'application_decision', title: '课后服务申请未通过', read: false }));
    expect(rejected.body).toContain('请补充接送人信息');
    expect(Date.parse(approved.created_at)).toBeGreaterThanOrEqual(Date.parse(rejected.created_at));

    // the real inbox page: lists them, a tap marks one read and the count drops
    const page = renderPage('inbox');
    await page.instance.onLoad();
    expect(exists(page, '#load-error')).toBe(false);
    expect(text(page, '#unread-count')).toBe(`${inbox.unread} 条未读`);
    const cards = page.querySelectorAll('.msg');
    expect(cards[0].dom.textContent).toContain('课后服务申请已通过');
    expect(cards[1].dom.textContent).toContain('课后服务申请未通过');
    expect(cards[0].dom.className).toContain('msg--unread');

    cards[1].dispatchEvent('tap');
    // answered, not just sent: the server has it before it is asked again below
    await until(() => wxImpl.requests.some((r) => r.url.endsWith(`/inbox/${rejected.id}/read`) && r.status === 200), 'POST read');
    await until(() => page.instance.data.items[1].read, 'the item to show read');
    expect(text(page, '#unread-count')).toBe(`${inbox.unread - 1} 条未读`);

    // the server agrees
    const afterOne = await notify.inbox(1);
    expect(afterOne.unread).toBe(inbox.unread - 1);
    expect(afterOne.items.find((m) => m.id === rejected.id).read).toBe(true);
    expect(afterOne.items.find((m) => m.id === approved.id).read).toBe(false);

    // the home page's 消息 entry shows the same count
    const home = renderPage('home');
    await home.instance.onShow();
    expect(text(home, '#unread-badge')).toBe(String(inbox.unread - 1));

    // 全部已读 on the inbox page, then nothing is unread on the server
    expect(exists(page, '#read-all-btn')).toBe(true);
    await page.instance.onReadAll();
    expect(page.querySelectorAll('.msg--unread')).toHaveLength(0);
    expect(text(page, '#unread-count')).toBe('没有未读消息');
    const afterAll = await notify.inbox(1);
    expect(afterAll.unread).toBe(0);
    expect(afterAll.items.every((m) => m.read)).toBe(true);
    expect(wxImpl.toasts.map((t) => t.title)).toEqual(['已全部标为已读']);

    // back on the home page the badge is gone
    await home.instance.onShow();
    expect(exists(home, '#unread-badge')).toBe(false);

    // the approved message points at that child's application: a tap opens it, and sends nothing (already read)
    const posts = wxImpl.requests.filter((r) => r.method === 'POST').length;
    page.querySelectorAll('.msg')[0].dispatchEvent('tap');
    await until(() => wxImpl.navigateTo.mock.calls.length > 0, 'navigateTo');
    expect(wxImpl.navigateTo.mock.calls[0][0].url).toBe(`/pages/application/index?student_id=${app.student_id}`);
    expect(wxImpl.requests.filter((r) => r.method === 'POST')).toHaveLength(posts);

    // another account cannot read (or find) the guardian's message
    actAs('demo-classhead');
    const err = await notify.markRead(approved.id, { toast: false }).catch((e) => e);
    expect(err.code).toBe('MESSAGE_NOT_FOUND');
    expect(err.status).toBe(404);
  });

  test('templates come from the server; what the popup answered is recorded as subscriptions', async () => {
    const templates = await notify.templates();
    // the backend's fake WeChat has a made-up template for every event
    expect(templates.length).toBeGreaterThan(3);
    templates.forEach((t) => expect(t).toEqual(expect.objectContaining({
      event: expect.any(String), title: expect.any(String), template_id: expect.any(String),
      long_term: expect.any(Boolean),
    })));

    // the home page's card, with WeChat's popup accepting all but the last id
    const popups = [];
    wxImpl.requestSubscribeMessage = jest.fn((options) => {
      popups.push(options.tmplIds);
      const res = { errMsg: 'requestSubscribeMessage:ok' };
      options.tmplIds.forEach((id, i) => { res[id] = i === options.tmplIds.length - 1 ? 'reject' : 'accept'; });
      setTimeout(() => options.success(res), 0);
    });
    const page = renderPage('home');
    await page.instance.onShow();
    expect(exists(page, '#subscribe-card')).toBe(true);

    page.querySelector('#subscribe-btn').dispatchEvent('tap');
    await until(() => exists(page, '#subscribe-result') || exists(page, '#subscribe-hint'), 'the subscribe answer');

    expect(popups).toHaveLength(1);
    const asked = popups[0];
    const byId = {};
    templates.forEach((t) => { byId[t.template_id] = t; });
    // one kind per popup (long-term first), as many as fit in one popup
    const kind = templates.some((t) => t.long_term);
    expect(asked.map((id) => byId[id].long_term)).toEqual(asked.map(() => kind));
    expect(asked).toHaveLength(Math.min(3, templates.filter((t) => t.long_term === kind).length));
    expect(exists(page, '#subscribe-hint')).toBe(false);

    const saved = await notify.subscriptions();
    const savedById = {};
    saved.forEach((s) => { savedById[s.template_id] = s; });
    asked.forEach((id, i) => {
      const accepted = i < asked.length - 1;
      expect(savedById[id]).toEqual(expect.objectContaining({
        event: byId[id].event, last_choice: accepted ? 'accept' : 'reject',
      }));
      if (byId[id].long_term) expect(savedById[id].long_term).toBe(accepted);
      else expect(savedById[id].remaining).toBe(accepted ? 1 : 0);
    });
    expect(text(page, '#subscribe-result')).toContain(`已开启：${byId[asked[0]].title}`);
    expect(text(page, '#subscribe-result')).toContain(`未开启：${byId[asked[asked.length - 1]].title}`);

    // a template the server does not know is refused
    const err = await notify.saveSubscriptions({ 'no-such-template': 'accept' }, { toast: false }).catch((e) => e);
    expect(err.code).toBe('TEMPLATE_UNKNOWN');
    expect(err.status).toBe(422);
  });
});
