/** utils/page.js and utils/roles.js lookups: how pages load, act one at a time, and find their school or child. */
const { loadPage, oneAtATime } = require('../utils/page');
const { schoolWithRole, childOf } = require('../utils/roles');
const { setUpFakeBackend } = require('./helpers/fake-wx');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

/** A page's `this`: data, setData, and a load() that runs `work` through loadPage. */
function fakePage(data = { loading: true, loaded: false, errorMessage: '' }) {
  return {
    data: { ...data },
    setData(patch) { Object.assign(this.data, patch); },
  };
}

const loaded = (page) => page.setData({ loading: false, loaded: true, errorMessage: '' });

test('the first load shows the error screen; a later failure keeps the page and toasts, unless quiet', async () => {
  const page = fakePage();
  await loadPage(page, () => Promise.reject(new Error('服务器开小差了')));
  expect(page.data).toEqual({ loading: false, loaded: false, errorMessage: '服务器开小差了' });

  await loadPage(page, () => loaded(page));
  expect(page.data).toEqual({ loading: false, loaded: true, errorMessage: '' });

  await loadPage(page, () => Promise.reject(new Error('刷新失败了')));
  expect(page.data.errorMessage).toBe('');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '刷新失败了' }));

  fake.wx.showToast.mockClear();
  await loadPage(page, () => Promise.reject(new Error('又失败了')), { quiet: true });
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

test('only the latest load counts: an older one is told so, and its failure is dropped', async () => {
  const page = fakePage();
  let failFirst;
  let firstIsLatest;
  const first = loadPage(page, (isLatest) => new Promise((resolve, reject) => {
    firstIsLatest = isLatest;
    failFirst = reject;
  }));
  await Promise.resolve();
  await loadPage(page, () => loaded(page));
  expect(firstIsLatest()).toBe(false);
  failFirst(new Error('太晚了'));
  await first;
  expect(page.data.errorMessage).toBe('');
  expect(fake.wx.showToast).not.toHaveBeenCalled();
});

test('one action at a time: a second tap does nothing; a cancelled confirm frees the page; then the page reloads', async () => {
  const page = fakePage({ busyId: 0 });
  page.load = jest.fn(() => Promise.resolve());
  let finish;
  const run = jest.fn(() => new Promise((resolve) => { finish = resolve; }));

  const tap = oneAtATime(page, { flag: 'busy', busyKey: 'busyId', id: 3, run });
  expect(page.busy).toBe(true);
  expect(page.data.busyId).toBe(3);
  await oneAtATime(page, { flag: 'busy', busyKey: 'busyId', id: 4, run });
  await Promise.resolve();
  expect(run).toHaveBeenCalledTimes(1);
  finish();
  await tap;
  expect(page.load).toHaveBeenCalledTimes(1);
  expect([page.busy, page.data.busyId]).toEqual([false, 0]);

  await oneAtATime(page, { flag: 'busy', busyKey: 'busyId', id: 5, ask: () => Promise.resolve(false), run });
  expect(run).toHaveBeenCalledTimes(1);
  expect([page.busy, page.data.busyId]).toEqual([false, 0]);
  expect(page.load).toHaveBeenCalledTimes(1);
});

test('a school by role (the one asked for, else the first) and a guardian\'s own child', () => {
  const profile = {
    schools: [{ id: 1, roles: ['teacher'] }, { id: 2, roles: ['admin', 'teacher'] }, { id: 3, roles: ['admin'] }],
    children: [{ id: 11, name: '李小明' }],
  };
  expect(schoolWithRole(profile, 'admin').id).toBe(2);
  expect(schoolWithRole(profile, 'admin', 3).id).toBe(3);
  expect(schoolWithRole(profile, 'admin', 1).id).toBe(2); // not an admin there
  expect(schoolWithRole(profile, ['class_head', 'teacher']).id).toBe(1);
  expect(schoolWithRole(profile, 'class_head')).toBeNull();
  expect(childOf(profile, 11).name).toBe('李小明');
  expect(() => childOf(profile, 12)).toThrow(expect.objectContaining({ code: 'CHILD_NOT_FOUND' }));
});

describe('keyKeeper', () => {
  const { keyKeeper } = require('../utils/page');

  test('the same body keeps its key; another body, or after forget(), gets a new one', () => {
    const keeper = keyKeeper();
    const a = keeper.keyFor({ ids: [1, 2] });
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(keeper.keyFor({ ids: [1, 2] })).toBe(a);
    const b = keeper.keyFor({ ids: [1] });
    expect(b).not.toBe(a);
    keeper.forget();
    expect(keeper.keyFor({ ids: [1] })).not.toBe(b);
  });
});

describe('sendKept', () => {
  const { keyKeeper, sendKept } = require('../utils/page');
  const { ApiError } = require('../services/request');

  test('busy while sending (a second call meanwhile does nothing); answered → the key forgotten, saved()', async () => {
    const page = fakePage({ submitting: false });
    const keeper = keyKeeper();
    const keys = [];
    let release;
    const answer = new Promise((resolve) => { release = resolve; });
    const saved = jest.fn();
    const first = sendKept(page, { keeper, body: { a: 1 }, send: (key) => { keys.push(key); return answer; }, saved });
    expect(page.data.submitting).toBe(true);
    await sendKept(page, { keeper, body: { a: 1 }, send: (key) => { keys.push(key); return Promise.resolve(); }, saved });
    await Promise.resolve();
    expect(keys).toHaveLength(1);
    release({ ok: true });
    await first;
    expect(saved).toHaveBeenCalledWith({ ok: true });
    expect(page.data.submitting).toBe(false);
    expect(keeper.keyFor({ a: 1 })).not.toBe(keys[0]);
  });

  test('no answer → the key kept and a toast asking for another tap; a refusal → forgotten, refused() (a modal by default)', async () => {
    const page = fakePage({ saving: false });
    const keeper = keyKeeper();
    const keys = [];
    const fail = (err) => (key) => { keys.push(key); return Promise.reject(err); };
    await sendKept(page, { busy: 'saving', keeper, body: { a: 1 }, send: fail(new ApiError({ code: 'NETWORK_ERROR', message: '网络不给力' })), saved: jest.fn() });
    expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存：网络不给力，请再点一次' }));
    await sendKept(page, { busy: 'saving', keeper, body: { a: 1 }, send: fail(new ApiError({ code: 'CONFLICT', message: '冲突了' })), saved: jest.fn() });
    expect(keys[1]).toBe(keys[0]);
    expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '没有保存', content: '冲突了' }));
    const refused = jest.fn();
    await sendKept(page, { busy: 'saving', keeper, body: { a: 1 }, send: fail(new ApiError({ code: 'CONFLICT', message: '冲突了' })), saved: jest.fn(), refused });
    expect(keys[2]).not.toBe(keys[0]);
    expect(refused).toHaveBeenCalledWith(expect.objectContaining({ code: 'CONFLICT' }));
    expect(page.data.saving).toBe(false);
  });
});

describe('picking children (utils/children.js) and pictures (utils/media.js)', () => {
  const { rosterKids, foundKids, chips, toggle } = require('../utils/children');
  const { chooseImage, sizeText, tooLarge } = require('../utils/media');

  test('a roster\'s children, expected ones first; a search\'s; chips; toggling', () => {
    const kids = rosterKids([
      { student_id: 6, name: '吴六', class_name: '二年级1班', expected: false },
      { student_id: 1, name: '曹一', class_name: '一年级1班', expected: true },
    ]);
    expect(kids).toEqual([{ id: 1, name: '曹一', className: '一年级1班' }, { id: 6, name: '吴六', className: '二年级1班' }]);
    expect(foundKids([{ id: 7, name: '张小明', class_name: '三年级2班' }])).toEqual([{ id: 7, name: '张小明', className: '三年级2班' }]);
    expect(chips(kids, [6]).map((k) => k.on)).toEqual([false, true]);
    const picked = toggle([], kids[0]);
    expect(picked).toEqual([kids[0]]);
    expect(toggle(picked, { ...kids[0] })).toEqual([]);
  });

  test('one image from the album or camera (cancel → null); the size limit in words', async () => {
    fake.wx.chooseMedia = jest.fn((o) => o.success({ tempFiles: [{ tempFilePath: 'a.jpg', size: 10 }] }));
    await expect(chooseImage()).resolves.toEqual({ tempFilePath: 'a.jpg', size: 10 });
    expect(fake.wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ count: 1, mediaType: ['image'], sourceType: ['album', 'camera'] }));
    fake.wx.chooseMedia = jest.fn((o) => o.fail({ errMsg: 'chooseMedia:fail cancel' }));
    await expect(chooseImage()).resolves.toBeNull();
    expect(sizeText(2 * 1024 * 1024)).toBe('2 MB');
    expect(sizeText(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(sizeText(500 * 1024)).toBe('500 KB');
    expect(tooLarge({ size: 3 * 1024 * 1024 }, 2 * 1024 * 1024)).toBe('图片不能超过 2 MB，请换一张或裁剪后再传');
    expect(tooLarge({ size: 10 }, 2 * 1024 * 1024)).toBe('');
  });
});

test('sendKept with a confirm: busy from the first tap (a second one asks nothing); declined → nothing sent', async () => {
  const { keyKeeper, sendKept } = require('../utils/page');
  const page = fakePage({ submitting: false });
  const send = jest.fn(() => Promise.resolve('ok'));
  let answer;
  const ask = jest.fn(() => new Promise((resolve) => { answer = resolve; }));
  const first = sendKept(page, { ask, keeper: keyKeeper(), body: {}, send, saved: jest.fn() });
  await sendKept(page, { ask, keeper: keyKeeper(), body: {}, send, saved: jest.fn() });
  expect(ask).toHaveBeenCalledTimes(1);
  answer(false);
  await first;
  expect(send).not.toHaveBeenCalled();
  expect(page.data.submitting).toBe(false);
});
