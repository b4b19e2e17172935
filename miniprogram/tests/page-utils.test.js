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
