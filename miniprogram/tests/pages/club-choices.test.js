const config = require('../../config/index');
const { TOKEN_KEY } = require('../../services/request');
const { installFakeWx, flush, BASE_URL } = require('../helpers/fake-wx');
const { renderPage, text, exists } = require('../helpers/render-page');

let fake;

beforeEach(() => {
  fake = installFakeWx();
  config.baseUrl = BASE_URL;
  config.devOpenid = '';
  config.networkRetryDelays = [0, 0];
  fake.storage.set(TOKEN_KEY, 'stored-token');
});

const ME = {
  account_id: 7,
  name: '王芳',
  roles: ['guardian'],
  schools: [],
  children: [
    { id: 2, name: '李小红', school_id: 1, school_name: '示范小学', class_id: 1, class_name: '一年级(1)班', relation: '妈妈', may_pick_up: true },
  ],
};

const LOTTERY = {
  id: 12, term_id: 5, name: '第二轮（摇号）', mode: 'lottery', opens_at: '2026-03-01T04:00:00Z',
  closes_at: '2099-03-14T04:00:00Z', drop_deadline: null, max_per_child: 2, priority_first: true,
  seed: null, drawn_at: null, is_open: true,
};

function club(overrides) {
  return {
    id: 1, term_id: 5, name: '儿童画', category: 'art', category_label: '艺术', description: '',
    teacher_staff_id: 30, teacher_name: '周老师', venue: '美术教室', weekdays: [2], start_time: '16:00',
    end_time: '16:40', capacity: 30, grades: [1, 2], min_to_open: null, enrolled: 0, free_seats: 30,
    waitlisted: 0, cover_url: null, may_choose: true, reason: null, my_status: null,
    ...overrides,
  };
}

const CLUBS = [
  club({ id: 1, name: '儿童画' }),
  club({ id: 2, name: '跳绳', category: 'sport', category_label: '体育', weekdays: [5], venue: '操场' }),
  club({ id: 3, name: '绘本阅读', category: 'language', category_label: '语言', weekdays: [3] }),
  club({ id: 4, name: '科学小实验', category: 'science', category_label: '科技', weekdays: [2], start_time: '16:20', end_time: '17:00' }),
  club({ id: 5, name: '舞蹈', weekdays: [2, 4], start_time: '17:10', end_time: '17:40' }),
  club({ id: 6, name: '合唱', weekdays: [4], start_time: '17:50', end_time: '18:00' }),
  club({ id: 7, name: '书法', grades: [3, 4, 5, 6], may_choose: false, reason: '该社团不面向本年级' }),
];

function routes({ rounds = [LOTTERY], clubs = CLUBS } = {}) {
  fake.route('GET', '/me', { status: 200, body: ME });
  fake.route('GET', '/terms/5/selection-rounds', { status: 200, body: rounds });
  fake.route('GET', '/terms/5/clubs', { status: 200, body: clubs });
}

async function showChoices(query = { round_id: '12', student_id: '2', term_id: '5' }) {
  const page = renderPage('club-choices');
  await page.instance.onLoad(query);
  return page;
}

function tap(page, selector, index = 0) {
  page.querySelectorAll(selector)[index].dispatchEvent('tap');
}

function choiceNames(page) {
  return page.querySelectorAll('.choice .choice__name').map((n) => n.dom.textContent.trim());
}

test('lists the clubs the child may put down, with the reason for those it may not', async () => {
  routes();
  const page = await showChoices();

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me', 'GET /terms/5/selection-rounds', 'GET /terms/5/clubs']);
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
  tap(page, '.up-btn', 1);
  await flush();
  expect(choiceNames(page)).toEqual(['儿童画', '跳绳', '绘本阅读']);
  tap(page, '.down-btn', 1);
  await flush();
  expect(choiceNames(page)).toEqual(['儿童画', '绘本阅读', '跳绳']);
  tap(page, '.remove-btn', 1);
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
  expect(text(page, '#save-state')).toContain('已保存 2 个志愿');
  expect(page.instance.data.dirty).toBe(false);
  expect(fake.storage.get('kehou.clubChoices.12.2').club_ids).toEqual([1, 2]);

  // a change after saving is marked until saved again
  tap(page, '.up-btn', 1);
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

test('saved choices kept on this phone are shown when the page opens again', async () => {
  routes();
  fake.storage.set('kehou.clubChoices.12.2', { club_ids: [3, 1], saved_at: '2026-03-02T02:30:00Z' });
  const page = await showChoices();

  expect(choiceNames(page)).toEqual(['绘本阅读', '儿童画']);
  expect(text(page, '#save-state')).toBe('已保存 2 个志愿（03-02 10:30）');
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
  routes({ rounds: [{ ...LOTTERY, is_open: false }] });
  const page = await showChoices();

  expect(text(page, '#closed-notice')).toBe('现在不在摇号志愿填报时间内');
  expect(exists(page, '#save-btn')).toBe(false);
  expect(page.querySelectorAll('.add-btn')).toHaveLength(0);
  page.instance.onAdd({ currentTarget: { dataset: { id: 1 } } });
  expect(page.querySelectorAll('.choice')).toHaveLength(0);
});

test('without term_id the current term is used; an unknown round says so', async () => {
  routes();
  fake.route('GET', '/schools/1/terms', { status: 200, body: [{ id: 5, school_id: 1, name: '本学期', starts_on: '2026-02-20', ends_on: '2026-07-10', is_current: true }] });
  let page = await showChoices({ round_id: '12', student_id: '2' });
  expect(fake.calls.map((c) => c.path)).toContain('/schools/1/terms');
  expect(page.querySelectorAll('.option')).toHaveLength(7);

  page = await showChoices({ round_id: '99', student_id: '2', term_id: '5' });
  expect(text(page, '#load-error')).toContain('未找到该轮选课');
});
