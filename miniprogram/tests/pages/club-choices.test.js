const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, text, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, club, LOTTERY_OPEN } = require('../helpers/club-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const CLUBS = [
  club({ id: 1, name: '儿童画' }),
  club({ id: 2, name: '跳绳', category: 'sport', category_label: '体育', weekdays: [5], venue: '操场' }),
  club({ id: 3, name: '绘本阅读', category: 'language', category_label: '语言', weekdays: [3] }),
  club({ id: 4, name: '科学小实验', category: 'science', category_label: '科技', weekdays: [2], start_time: '16:20', end_time: '17:00' }),
  club({ id: 5, name: '舞蹈', weekdays: [2, 4], start_time: '17:10', end_time: '17:40' }),
  club({ id: 6, name: '合唱', weekdays: [4], start_time: '17:50', end_time: '18:00' }),
  club({ id: 7, name: '书法', grades: [3, 4, 5, 6], may_choose: false, reason: '该社团不面向本年级' }),
];

const ROUND = '/selection-rounds/12';
const SAVED = '/selection-rounds/12/choices/2';

/** The answers the page needs; `saved` is what GET …/choices answers (the clubs saved, in rank order). */
function routes({ round = LOTTERY_OPEN, clubs = CLUBS, saved = [] } = {}) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', ROUND, { status: 200, body: round });
  fake.route('GET', '/terms/5/clubs', { status: 200, body: clubs });
  fake.route('GET', SAVED, typeof saved === 'function' ? saved : { status: 200, body: saved });
}

const savedAs = (ids) => ids.map((id) => CLUBS.find((c) => c.id === id));

function showChoices(query = { round_id: '12', student_id: '2' }) {
  return openPage('club-choices', query);
}

function tapNth(page, selector, index) {
  page.querySelectorAll(selector)[index].dispatchEvent('tap');
}

function choiceNames(page) {
  return page.querySelectorAll('.choice .choice__name').map((n) => n.dom.textContent.trim());
}

test('lists the clubs the child may put down, with the reason for those it may not', async () => {
  routes();
  const page = await showChoices();

  // the round says its term; the saved choices come from the server
  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me', `GET ${ROUND}`, `GET ${SAVED}`, 'GET /terms/5/clubs']);
  expect(fake.sent('GET', '/terms/5/clubs')[0].data).toEqual({ student_id: 2 });
  expect(text(page, '#round-info')).toContain('李小红 · 第二轮（摇号）');
  expect(text(page, '#round-info')).toContain('最多 5 个志愿');
  expect(text(page, '#round-info')).toContain('每人最多录取 2 个社团');
  expect(text(page, '#no-choices')).toContain('还没有选择');
  expect(page.querySelectorAll('.option')).toHaveLength(7);
  expect(text(page, '#option-2')).toContain('周五 16:00–16:40 · 操场');
  expect(text(page, '#option-2')).toContain('共 30 个名额 · 指导老师 周老师');
  expect(text(page, '#option-7 .option__note')).toBe('该社团不面向本年级');
  expect(exists(page, '#option-7 .add-btn')).toBe(false);
  expect(exists(page, '#option-1 .add-btn')).toBe(true);
});

test('pick, reorder and remove; the save sends the ranked ids and shows the saved state', async () => {
  routes();
  const page = await showChoices();
  fake.route('PUT', '/selection-rounds/12/choices/2', (req) => ({
    status: 200,
    body: req.data.club_ids.map((id) => CLUBS.find((c) => c.id === id)),
  }));

  page.instance.onAdd({ currentTarget: { dataset: { id: 2 } } });
  page.instance.onAdd({ currentTarget: { dataset: { id: 1 } } });
  page.instance.onAdd({ currentTarget: { dataset: { id: 3 } } });
  await flush();
  expect(choiceNames(page)).toEqual(['跳绳', '儿童画', '绘本阅读']);
  expect(page.querySelectorAll('.choice__rank').map((n) => n.dom.textContent)).toEqual(['第1志愿', '第2志愿', '第3志愿']);
  expect(text(page, '#option-2 .option__chosen')).toBe('已加入');
  expect(text(page, '#save-state')).toBe('尚未保存');

  // 儿童画 up to first, 跳绳 down to last, then remove 绘本阅读
  tapNth(page, '.up-btn', 1);
  await flush();
  expect(choiceNames(page)).toEqual(['儿童画', '跳绳', '绘本阅读']);
  tapNth(page, '.down-btn', 1);
  await flush();
  expect(choiceNames(page)).toEqual(['儿童画', '绘本阅读', '跳绳']);
  tapNth(page, '.remove-btn', 1);
  await flush();
  expect(choiceNames(page)).toEqual(['儿童画', '跳绳']);
  // moving past the ends does nothing
  page.instance.onMoveUp({ currentTarget: { dataset: { index: 0 } } });
  page.instance.onMoveDown({ currentTarget: { dataset: { index: 1 } } });
  expect(choiceNames(page)).toEqual(['儿童画', '跳绳']);

  await page.instance.onSave();

  const puts = fake.calls.filter((c) => c.method === 'PUT');
  expect(puts).toHaveLength(1);
  expect(puts[0].path).toBe('/selection-rounds/12/choices/2');
  expect(puts[0].data).toEqual({ club_ids: [1, 2] });
  expect(puts[0].header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '志愿已保存' }));
  expect(text(page, '#save-state')).toBe('已保存 2 个志愿');
  expect(page.instance.data.dirty).toBe(false);

  // a change after saving is marked until saved again
  tapNth(page, '.up-btn', 1);
  await flush();
  expect(text(page, '#save-state')).toBe('有改动尚未保存');
});

test('at most five choices', async () => {
  routes();
  const page = await showChoices();

  [1, 2, 3, 4, 5].forEach((id) => page.instance.onAdd({ currentTarget: { dataset: { id } } }));
  await flush();
  expect(page.querySelectorAll('.choice')).toHaveLength(5);
  expect(text(page, '#limit-hint')).toContain('已填满 5 个志愿');

  page.instance.onAdd({ currentTarget: { dataset: { id: 6 } } });
  expect(page.querySelectorAll('.choice')).toHaveLength(5);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '最多填 5 个志愿' }));
  // a club the child may not choose cannot be added either
  page.instance.onRemove({ currentTarget: { dataset: { index: 4 } } });
  page.instance.onAdd({ currentTarget: { dataset: { id: 7 } } });
  expect(page.querySelectorAll('.choice')).toHaveLength(4);
});

test('choices at the same time are flagged', async () => {
  routes();
  const page = await showChoices();

  page.instance.onAdd({ currentTarget: { dataset: { id: 1 } } });
  page.instance.onAdd({ currentTarget: { dataset: { id: 4 } } });
  page.instance.onAdd({ currentTarget: { dataset: { id: 5 } } });
  await flush();

  expect(text(page, '#choice-4 .choice__clash')).toBe('与第1志愿时间冲突，最多录取其中一个');
  expect(exists(page, '#choice-1 .choice__clash')).toBe(false);
  expect(exists(page, '#choice-5 .choice__clash')).toBe(false);
});

test('choices saved on another phone are shown when the page opens', async () => {
  routes({ saved: savedAs([3, 1]) });
  const page = await showChoices();

  expect(choiceNames(page)).toEqual(['绘本阅读', '儿童画']);
  expect(text(page, '#save-state')).toBe('已保存 2 个志愿');
  expect(page.instance.data.dirty).toBe(false);
  expect(fake.wx.getStorageSync).not.toHaveBeenCalledWith(expect.stringContaining('clubChoices'));
});

test('a refresh takes up a list saved elsewhere meanwhile, but keeps changes not saved here', async () => {
  let saved = savedAs([3]);
  routes({ saved: () => ({ status: 200, body: saved }) });
  const page = await showChoices();
  expect(choiceNames(page)).toEqual(['绘本阅读']);

  // saved from the other parent's phone
  saved = savedAs([2, 3]);
  await page.instance.onPullDownRefresh();
  expect(choiceNames(page)).toEqual(['跳绳', '绘本阅读']);
  expect(text(page, '#save-state')).toBe('已保存 2 个志愿');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();

  // a change here, not saved yet, survives the next refresh and is still marked
  page.instance.onAdd({ currentTarget: { dataset: { id: 1 } } });
  saved = savedAs([6]);
  await page.instance.onPullDownRefresh();
  expect(choiceNames(page)).toEqual(['跳绳', '绘本阅读', '儿童画']);
  expect(text(page, '#save-state')).toBe('有改动尚未保存');
});

test('a refused save shows the server\'s message', async () => {
  routes();
  const page = await showChoices();
  fake.route('PUT', '/selection-rounds/12/choices/2', {
    status: 409, body: { error: { code: 'SELECTION_CLOSED', message: '现在不在摇号志愿填报时间内' } },
  });
  page.instance.onAdd({ currentTarget: { dataset: { id: 1 } } });

  await page.instance.onSave();

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '未能保存', content: '现在不在摇号志愿填报时间内' }));
  expect(page.instance.data.saving).toBe(false);
  expect(text(page, '#save-state')).toBe('尚未保存');
});

test('outside the window the choices are read-only', async () => {
  routes({ round: { ...LOTTERY_OPEN, is_open: false }, saved: savedAs([1]) });
  const page = await showChoices();

  expect(text(page, '#closed-notice')).toBe('现在不在摇号志愿填报时间内');
  expect(exists(page, '#save-btn')).toBe(false);
  expect(page.querySelectorAll('.add-btn')).toHaveLength(0);
  expect(page.querySelectorAll('.up-btn')).toHaveLength(0);
  // what was saved still shows
  expect(choiceNames(page)).toEqual(['儿童画']);
  page.instance.onAdd({ currentTarget: { dataset: { id: 2 } } });
  expect(page.querySelectorAll('.choice')).toHaveLength(1);
});

test('an unknown round, or a child who is not the guardian\'s, says so', async () => {
  routes();
  fake.route('GET', '/selection-rounds/99', { status: 404, body: { error: { code: 'NOT_FOUND', message: '未找到该轮次' } } });
  let page = await showChoices({ round_id: '99', student_id: '2' });
  expect(text(page, '#load-error')).toContain('未找到该轮次');

  page = await showChoices({ round_id: '12', student_id: '99' });
  expect(text(page, '#load-error')).toContain('未找到该孩子');
  expect(fake.calls.filter((c) => c.path.indexOf('/choices/99') >= 0)).toHaveLength(0);
});
