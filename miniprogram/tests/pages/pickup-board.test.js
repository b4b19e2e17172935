const { setUpFakeBackend } = require('../helpers/fake-wx');
const { renderPage, openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { TODAY, DUTY_ME, GUARD_ME } = require('../helpers/pickup-fixtures');

let fake;
let pages;

beforeEach(() => {
  fake = setUpFakeBackend();
  pages = [];
});

afterEach(() => {
  pages.forEach((page) => page.instance.onUnload());
  jest.useRealTimers();
});

const count = (key, name, inCare, released, late = 0) => ({ key, name, in_care: inCare, released, remaining: inCare - released, late });

/** BoardOut. */
function boardOut(overrides = {}) {
  return {
    date: TODAY, served: true, in_care: 40, released: 37, remaining: 3, late: 1, with_guard: 1,
    latest_release_at: `${TODAY}T09:35:00Z`,
    by_grade: [count('1', '一年级', 20, 19), count('3', '三年级', 20, 18, 1)],
    by_group: [count('11', '一年级看护1班', 20, 19), count('12', '书法', 20, 18, 1)],
    not_released: [
      { student_id: 7, name: '张小明', class_name: '三年级2班', place: '门卫室', end_time: '17:20', late: 'with_guard' },
      { student_id: 8, name: '李小华', class_name: '三年级1班', place: '书法', end_time: '17:20', late: 'late' },
      { student_id: 3, name: '王小刚', class_name: '一年级1班', place: '一年级看护1班', end_time: '17:00', late: null },
    ],
    clearance: null,
    ...overrides,
  };
}

function routes(profile = DUTY_ME, board = boardOut()) {
  fake.route('GET', '/me', { status: 200, body: profile });
  fake.route('GET', '/pickup/board', typeof board === 'function' ? board : { status: 200, body: board });
}

async function open() {
  const page = await openPage('pickup-board');
  pages.push(page);
  return page;
}

test('totals, by grade and by group, who is still here and where, the last release', async () => {
  routes();
  const page = await open();

  expect(fake.sent('GET', '/pickup/board')[0].data).toEqual({ school_id: 1 });
  expect(text(page, '#total-remaining')).toBe('3');
  expect(text(page, '#total-released')).toBe('37');
  expect(text(page, '#total-late')).toBe('1');
  expect(text(page, '#total-guard')).toBe('1');
  expect(text(page, '#total-in-care')).toContain('40 人');
  expect(text(page, '#latest-release')).toContain('17:35');
  expect(text(page, '#count-grade-3')).toContain('三年级');
  expect(text(page, '#count-grade-3')).toContain('已离校 18/20');
  expect(text(page, '#count-grade-3')).toContain('超时 1');

  await tap(page, '#grouping-group');
  expect(text(page, '#count-group-12')).toContain('书法');
  expect(exists(page, '#count-grade-3')).toBe(false);

  expect(texts(page, '.here__name')).toEqual(['张小明', '李小华', '王小刚']);
  expect(text(page, '#here-7')).toContain('已交门卫');
  expect(text(page, '#here-7')).toContain('门卫室');
  expect(text(page, '#here-8')).toContain('超时未接');
  expect(exists(page, '#clear-btn')).toBe(true);
});

test('refreshes itself every 15 s while shown (quietly), and stops when hidden', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  let remaining = 3;
  routes(DUTY_ME, () => ({ status: 200, body: boardOut({ remaining, released: 40 - remaining }) }));
  const page = renderPage('pickup-board');
  pages.push(page);
  page.instance.onLoad({});
  const shown = page.instance.onShow();
  await jest.advanceTimersByTimeAsync(50);
  await shown;
  expect(fake.sent('GET', '/pickup/board')).toHaveLength(1);

  remaining = 1;
  await jest.advanceTimersByTimeAsync(14000);
  expect(fake.sent('GET', '/pickup/board')).toHaveLength(1);
  await jest.advanceTimersByTimeAsync(1100);
  expect(fake.sent('GET', '/pickup/board')).toHaveLength(2);
  expect(text(page, '#total-remaining')).toBe('1');
  expect(fake.sent('GET', '/me')).toHaveLength(1);

  // a failed refresh keeps the board, says nothing, and the next one still comes
  routes(DUTY_ME, { network: true });
  await jest.advanceTimersByTimeAsync(16000);
  expect(text(page, '#total-remaining')).toBe('1');
  expect(fake.wx.showToast).not.toHaveBeenCalled();
  expect(page.instance.timer).toBeTruthy();

  page.instance.onHide();
  const asked = fake.calls.length;
  await jest.advanceTimersByTimeAsync(120000);
  expect(fake.calls).toHaveLength(asked);
});

test('清校 with children still here: 409 SCHOOL_NOT_CLEAR lists who and where', async () => {
  routes();
  fake.route('POST', '/pickup/clearance?school_id=1', {
    status: 409,
    body: {
      error: {
        code: 'SCHOOL_NOT_CLEAR',
        message: '还有 3 名学生未接走，不能清校',
        errors: [
          { student_id: 7, name: '张小明', class_name: '三年级2班', place: '门卫室', code: 'CHILD_STILL_HERE', message: '张小明（三年级2班）仍在门卫室' },
          { student_id: 8, name: '李小华', class_name: '三年级1班', place: '书法', code: 'CHILD_STILL_HERE', message: '李小华（三年级1班）仍在书法' },
        ],
      },
    },
  });
  fake.answerModal(true);
  const page = await open();

  await tap(page, '#clear-btn');

  expect(fake.sent('POST', '/pickup/clearance?school_id=1')[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#not-clear')).toContain('还有 3 名学生未接走，不能清校');
  expect(texts(page, '.not-clear__child')).toEqual(['张小明（三年级2班）仍在门卫室', '李小华（三年级1班）仍在书法']);
  expect(exists(page, '#cleared')).toBe(false);
});

test('清校 when everyone has gone: recorded, and the board says when and by whom; cancel sends nothing', async () => {
  let cleared = null;
  routes(DUTY_ME, () => ({ status: 200, body: boardOut({ remaining: 0, released: 40, not_released: [], clearance: cleared }) }));
  fake.route('POST', '/pickup/clearance?school_id=1', () => {
    cleared = { date: TODAY, cleared_at: `${TODAY}T10:05:00Z`, cleared_by: '赵主任', released_count: 40 };
    return { status: 200, body: cleared };
  });
  const page = await open();
  expect(exists(page, '#all-gone')).toBe(true);

  fake.answerModal(false);
  await tap(page, '#clear-btn');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#clear-btn');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已清校' }));
  expect(text(page, '#cleared')).toBe('已清校 18:05 · 赵主任 · 共离校 40 人');
  expect(exists(page, '#clear-btn')).toBe(false);
});

test('the guard sees the board but cannot clear; a day without service says so', async () => {
  routes(GUARD_ME, boardOut({ served: false, in_care: 0, released: 0, remaining: 0, late: 0, with_guard: 0, by_grade: [], by_group: [], not_released: [] }));
  const page = await open();

  expect(exists(page, '#clear-btn')).toBe(false);
  expect(exists(page, '#not-served')).toBe(true);
});
