const { setUpFakeBackend, flush, BASE_URL } = require('../helpers/fake-wx');
const { openPage, text, exists } = require('../helpers/render-page');
const { GUARDIAN_ME, TERMS, club, FIRST_COME_OPEN, LOTTERY_OPEN, LATER } = require('../helpers/club-fixtures');

let fake;
let pages;

beforeEach(() => {
  fake = setUpFakeBackend();
  pages = [];
});

afterEach(() => {
  // stop the auto-refresh timers
  pages.forEach((page) => page.instance.onUnload());
});

const CLUBS = [
  club({ id: 1, name: '儿童画', enrolled: 25, cover_url: '/api/v1/clubs/1/cover/a.jpg?exp=1&sig=x' }),
  club({ id: 2, name: '跳绳', category: 'sport', category_label: '体育', weekdays: [5], capacity: 40, enrolled: 40, waitlisted: 3, grades: [1, 2, 3], teacher_name: '钱老师', venue: '操场' }),
  club({ id: 3, name: '书法', enrolled: 10, grades: [3, 4, 5, 6], may_choose: false, reason: '该社团不面向本年级' }),
  club({ id: 4, name: '科学小实验', category: 'science', category_label: '科技', weekdays: [1], enrolled: 28, my_status: 'enrolled' }),
];

function routes({ rounds = [FIRST_COME_OPEN], clubs = CLUBS, places = [] } = {}) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/selection-rounds', { status: 200, body: rounds });
  fake.route('GET', '/terms/5/clubs', typeof clubs === 'function' ? clubs : { status: 200, body: clubs });
  fake.route('GET', '/students/2/clubs', typeof places === 'function' ? places : { status: 200, body: places });
}

async function showClubs(query = { student_id: '2' }) {
  const page = await openPage('clubs', query);
  pages.push(page);
  return page;
}

const clubsCalls = () => fake.sent('GET', '/terms/5/clubs');

test('shows the catalogue for the child: time, venue, teacher, free seats, waitlist, status and reasons', async () => {
  routes({ places: [{ id: 90, club_id: 4, club_name: '科学小实验', student_id: 2, student_name: '李小红', status: 'enrolled', status_label: '已选上', position: null }] });
  const page = await showClubs();

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /me', 'GET /schools/1/terms', 'GET /terms/5/selection-rounds', 'GET /terms/5/clubs', 'GET /students/2/clubs',
  ]);
  // the catalogue is asked for this child, in the current term
  expect(clubsCalls()[0].data).toEqual({ student_id: 2 });
  expect(text(page, '#child-name')).toBe('李小红');
  expect(text(page, '#held-count')).toContain('本学期已选 1 个社团');
  expect(text(page, '#held-count')).toContain('每人最多 2 个');
  expect(text(page, '#round-banner')).toContain('第一轮选课（先到先得） · 进行中');

  const drawing = text(page, '#club-1');
  expect(drawing).toContain('儿童画');
  expect(drawing).toContain('周二 16:00–16:40');
  expect(drawing).toContain('地点：美术教室');
  expect(drawing).toContain('指导老师：周老师');
  expect(drawing).toContain('适合：一、二年级');
  expect(text(page, '#club-1 .club__seats')).toBe('余位 5');
  expect(text(page, '#club-1 .enroll-btn')).toBe('选这个');

  expect(text(page, '#club-2 .club__seats')).toBe('已满');
  expect(text(page, '#club-2 .club__waitlist')).toBe('候补 3 人');
  expect(text(page, '#club-2 .enroll-btn')).toBe('排候补');

  // not for this grade: the server's reason, in Chinese, and no button
  expect(text(page, '#club-3 .club__reason')).toBe('该社团不面向本年级');
  expect(exists(page, '#club-3 .enroll-btn')).toBe(false);

  expect(text(page, '#club-4 .club__status')).toBe('已选上');
  expect(exists(page, '#club-4 .enroll-btn')).toBe(false);
  expect(text(page, '#club-4 .drop-btn')).toBe('退选');
  expect(exists(page, '#closed-notice')).toBe(false);
});

test('a cover picture is shown from the API origin; a club without one gets a category-coloured placeholder', async () => {
  routes();
  const page = await showClubs();

  const cover = page.querySelector('#club-1 .club__cover');
  expect(cover.dom.tagName).toBe('WX-IMAGE');
  expect(page.instance.data.visibleClubs[0].coverUrl).toBe('http://api.test/api/v1/clubs/1/cover/a.jpg?exp=1&sig=x');
  expect(exists(page, '#club-1 .club__placeholder')).toBe(false);

  const placeholder = page.querySelector('#club-2 .club__placeholder');
  expect(placeholder).toBeTruthy();
  expect(placeholder.dom.getAttribute('style')).toContain('#2f7fd8');
  expect(text(page, '#club-2 .club__initial')).toBe('跳');

  // a picture that fails to load (expired link) falls back to the placeholder
  page.instance.onCoverError({ currentTarget: { dataset: { id: 1 } } });
  expect(exists(page, '#club-1 .club__placeholder')).toBe(true);
});

test('filters by category', async () => {
  routes();
  const page = await showClubs();

  expect(page.querySelectorAll('.filter').map((n) => n.dom.textContent.trim())).toEqual(['全部', '艺术', '体育', '科技']);
  expect(page.querySelectorAll('.club')).toHaveLength(4);

  page.querySelectorAll('.filter')[2].dispatchEvent('tap');
  await flush();
  expect(page.querySelectorAll('.club')).toHaveLength(1);
  expect(text(page, '.club .club__name')).toBe('跳绳');

  page.querySelectorAll('.filter')[0].dispatchEvent('tap');
  await flush();
  expect(page.querySelectorAll('.club')).toHaveLength(4);
});

test('filters by weekday, together with the category, and keeps both across a reload', async () => {
  routes();
  const page = await showClubs();
  const names = () => page.querySelectorAll('.club .club__name').map((n) => n.dom.textContent.trim());

  expect(page.querySelectorAll('.day-filter').map((n) => n.dom.textContent.trim()))
    .toEqual(['全部', '周一', '周二', '周三', '周四', '周五']);
  expect(page.querySelector('#day-filter-0').dom.className).toContain('day-filter--active');

  // 周二: the two clubs meeting on Tuesdays
  page.querySelector('#day-filter-2').dispatchEvent('tap');
  await flush();
  expect(names()).toEqual(['儿童画', '书法']);
  expect(page.querySelector('#day-filter-2').dom.className).toContain('day-filter--active');
  expect(page.querySelector('#day-filter-0').dom.className).not.toContain('day-filter--active');

  // and 体育: none on Tuesdays
  page.querySelectorAll('.filter')[2].dispatchEvent('tap');
  await flush();
  expect(names()).toEqual([]);
  expect(text(page, '#no-clubs')).toBe('没有符合条件的社团');

  // 周五 with 体育: 跳绳
  page.querySelector('#day-filter-5').dispatchEvent('tap');
  await flush();
  expect(names()).toEqual(['跳绳']);

  // a reload (auto-refresh, back from another page) keeps both filters
  await page.instance.onShow();
  expect(names()).toEqual(['跳绳']);

  // 全部 days, 全部 categories: everything again
  page.querySelector('#day-filter-0').dispatchEvent('tap');
  page.querySelectorAll('.filter')[0].dispatchEvent('tap');
  await flush();
  expect(names()).toEqual(['儿童画', '跳绳', '书法', '科学小实验']);
});

test('a club meeting on a day the plan serves besides 周一–周五 adds that day to the filter, and it goes when the club does', async () => {
  let saturday = true;
  routes({ clubs: () => ({ status: 200, body: saturday ? CLUBS.concat(club({ id: 7, name: '周末篮球', category: 'sport', category_label: '体育', weekdays: [6] })) : CLUBS }) });
  const page = await showClubs();

  expect(page.querySelectorAll('.day-filter').map((n) => n.dom.textContent.trim()))
    .toEqual(['全部', '周一', '周二', '周三', '周四', '周五', '周六']);
  page.querySelector('#day-filter-6').dispatchEvent('tap');
  await flush();
  expect(page.querySelectorAll('.club .club__name').map((n) => n.dom.textContent.trim())).toEqual(['周末篮球']);

  // closed meanwhile: back to every day, not an empty filter nobody can leave
  saturday = false;
  await page.instance.onShow();
  expect(exists(page, '#day-filter-6')).toBe(false);
  expect(page.querySelector('#day-filter-0').dom.className).toContain('day-filter--active');
  expect(page.querySelectorAll('.club')).toHaveLength(4);
});

test('enrolling in a free club: the button is disabled while the request is in flight, then 选上了', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  let placesNow = [];
  routes({
    clubs: () => ({
      status: 200,
      body: placesNow.length ? CLUBS.map((c) => (c.id === 1 ? { ...c, free_seats: 4, enrolled: 26, my_status: 'enrolled' } : c)) : CLUBS,
    }),
    places: () => ({ status: 200, body: placesNow }),
  });
  const page = await showClubs();
  // the enrolment's answer waits until the test releases it
  fake.route('POST', '/clubs/1/enrollments', (req) => {
    placesNow = [{ id: 91, club_id: 1, club_name: '儿童画', student_id: 2, student_name: '李小红', status: 'enrolled', status_label: '已选上', position: null }];
    return { status: 200, body: { ...placesNow[0], _key: req.header['Idempotency-Key'] } };
  });
  const originalRequest = fake.wx.request.getMockImplementation();
  const sent = [];
  fake.wx.request.mockImplementation((options) => {
    if (options.method === 'POST') {
      sent.push(options.url);
      gate.then(() => originalRequest(options));
      return { abort() {} };
    }
    return originalRequest(options);
  });

  const tap = page.instance.onEnroll({ currentTarget: { dataset: { id: 1 } } });
  await flush();
  // disabled="{{busyId !== 0}}" and the matching class, on every choice button
  expect(page.instance.data.busyId).toBe(1);
  expect(page.querySelector('#club-1 .enroll-btn').dom.className).toContain('is-disabled');
  expect(page.querySelector('#club-2 .enroll-btn').dom.className).toContain('is-disabled');

  // the school-gate double tap: a second tap while in flight sends nothing
  page.querySelector('#club-1 .enroll-btn').dispatchEvent('tap');
  page.instance.onEnroll({ currentTarget: { dataset: { id: 2 } } });
  await flush();
  expect(sent).toEqual([`${BASE_URL}/clubs/1/enrollments`]);
  release();
  await tap;

  const posts = fake.calls.filter((c) => c.method === 'POST');
  expect(posts).toHaveLength(1);
  expect(posts[0].path).toBe('/clubs/1/enrollments');
  expect(posts[0].data).toEqual({ student_id: 2 });
  expect(posts[0].header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '选上了', content: '李小红已选上「儿童画」。',
  }));
  // reloaded: the new status and seats are shown, the buttons are back
  expect(page.instance.data.busyId).toBe(0);
  expect(text(page, '#club-1 .club__status')).toBe('已选上');
  expect(text(page, '#club-1 .club__seats')).toBe('余位 4');
  expect(exists(page, '#club-1 .enroll-btn')).toBe(false);
  expect(page.querySelector('#club-2 .enroll-btn').dom.className).not.toContain('is-disabled');
});

test('a full club puts the child on the waitlist and shows the position', async () => {
  let placesNow = [];
  routes({
    clubs: () => ({
      status: 200,
      body: placesNow.length ? CLUBS.map((c) => (c.id === 2 ? { ...c, waitlisted: 4, my_status: 'waitlisted' } : c)) : CLUBS,
    }),
    places: () => ({ status: 200, body: placesNow }),
  });
  const page = await showClubs();
  fake.route('POST', '/clubs/2/enrollments', () => {
    placesNow = [{ id: 92, club_id: 2, club_name: '跳绳', student_id: 2, student_name: '李小红', status: 'waitlisted', status_label: '候补中', position: 4 }];
    return { status: 200, body: placesNow[0] };
  });

  page.querySelector('#club-2 .enroll-btn').dispatchEvent('tap');
  await flush(10);

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '候补第4位' }));
  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('李小红排在候补第4位');
  expect(text(page, '#club-2 .club__status')).toBe('候补第4位');
  expect(text(page, '#club-2 .club__waitlist')).toBe('候补 4 人');
  expect(text(page, '#club-2 .drop-btn')).toBe('退出候补');
});

test('a refusal shows the server\'s Chinese reason and reloads the catalogue', async () => {
  routes();
  const page = await showClubs();
  fake.route('POST', '/clubs/1/enrollments', {
    status: 409, body: { error: { code: 'CLUB_NOT_ALLOWED', message: '与已选的「科学小实验」时间冲突' } },
  });

  await page.instance.onEnroll({ currentTarget: { dataset: { id: 1 } } });

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '未能选课', content: '与已选的「科学小实验」时间冲突', showCancel: false,
  }));
  expect(clubsCalls()).toHaveLength(2);
  expect(page.instance.data.busyId).toBe(0);
});

test('drop asks first; cancel sends nothing, confirm drops and reloads', async () => {
  let dropped = false;
  routes({
    clubs: () => ({ status: 200, body: dropped ? CLUBS.map((c) => (c.id === 4 ? { ...c, my_status: 'dropped', free_seats: 3 } : c)) : CLUBS }),
    places: () => ({ status: 200, body: dropped ? [] : [{ id: 90, club_id: 4, club_name: '科学小实验', student_id: 2, student_name: '李小红', status: 'enrolled', status_label: '已选上', position: null }] }),
  });
  const page = await showClubs();
  fake.route('DELETE', '/clubs/4/enrollments/2', (req) => {
    dropped = true;
    return { status: 200, body: { id: 90, club_id: 4, club_name: '科学小实验', student_id: 2, student_name: '李小红', status: 'dropped', status_label: '已退出', position: null, key: req.header['Idempotency-Key'] } };
  });

  fake.answerModal(false);
  await page.instance.onDrop({ currentTarget: { dataset: { id: 4 } } });
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '确认退选', confirmText: '退选' }));
  expect(fake.wx.showModal.mock.calls[0][0].content).toContain('确定让李小红退出「科学小实验」吗');
  expect(fake.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
  expect(page.instance.data.busyId).toBe(0);

  fake.answerModal(true);
  await page.instance.onDrop({ currentTarget: { dataset: { id: 4 } } });
  const deletes = fake.calls.filter((c) => c.method === 'DELETE');
  expect(deletes).toHaveLength(1);
  expect(deletes[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已退选' }));
  expect(exists(page, '#club-4 .drop-btn')).toBe(false);
  expect(exists(page, '#club-4 .club__status')).toBe(false);
  expect(text(page, '#club-4 .enroll-btn')).toBe('选这个');
  expect(text(page, '#held-count')).toContain('本学期已选 0 个社团');
});

test('after the drop deadline the refusal is shown as a message', async () => {
  routes({ places: [{ id: 90, club_id: 4, club_name: '科学小实验', student_id: 2, student_name: '李小红', status: 'enrolled', status_label: '已选上', position: null }] });
  const page = await showClubs();
  fake.route('DELETE', '/clubs/4/enrollments/2', { status: 409, body: { error: { code: 'DROP_CLOSED', message: '已过退选截止时间，请联系学校' } } });

  fake.answerModal(true);
  await page.instance.onDrop({ currentTarget: { dataset: { id: 4 } } });
  await flush();

  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ title: '未能退选', content: '已过退选截止时间，请联系学校' }));
  expect(text(page, '#club-4 .club__status')).toBe('已选上');
});

test('outside the selection window: 不在选课时间内, the schedule, and no 选这个 button', async () => {
  routes({ rounds: [{ ...FIRST_COME_OPEN, is_open: false, opens_at: '2026-03-01T04:00:00Z', closes_at: '2026-03-03T04:00:00Z' }, LATER] });
  const page = await showClubs();

  expect(text(page, '#closed-notice')).toContain('现在不在选课时间内，补选将于 04-01 09:00 开始');
  const schedule = text(page, '#schedule');
  expect(schedule).toContain('第一轮选课（先到先得）');
  expect(schedule).not.toContain('（先到先得）（先到先得）');
  expect(schedule).toContain('补选（先到先得）');
  expect(schedule).toContain('03-01 12:00 至 03-03 12:00');
  expect(schedule).toContain('已结束');
  expect(schedule).toContain('未开始');
  expect(page.querySelectorAll('.enroll-btn')).toHaveLength(0);
  // what the child holds can still be dropped (the server checks the drop deadline)
  expect(exists(page, '#club-4 .drop-btn')).toBe(true);
  expect(exists(page, '#round-banner')).toBe(false);
});

test('a school without any round says so', async () => {
  routes({ rounds: [] });
  const page = await showClubs();

  expect(text(page, '#closed-notice')).toContain('现在不在选课时间内');
  expect(text(page, '#closed-notice')).toContain('学校尚未安排选课');
});

test('a lottery round links to the choices page instead of 选这个', async () => {
  routes({ rounds: [LOTTERY_OPEN] });
  const page = await showClubs();

  expect(text(page, '#lottery-banner')).toContain('摇号志愿填报中');
  expect(page.querySelectorAll('.enroll-btn')).toHaveLength(0);
  page.querySelector('#lottery-btn').dispatchEvent('tap');
  await flush();
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/club-choices/index?round_id=12&student_id=2' });
});

test('pull-down refresh reloads the seats and stops the spinner', async () => {
  let seats = 5;
  routes({ clubs: () => ({ status: 200, body: CLUBS.map((c) => (c.id === 1 ? { ...c, free_seats: seats } : c)) }) });
  const page = await showClubs();
  expect(text(page, '#club-1 .club__seats')).toBe('余位 5');

  seats = 1;
  await page.instance.onPullDownRefresh();
  expect(text(page, '#club-1 .club__seats')).toBe('余位 1');
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('a child who is not the guardian\'s gets a clear message, and a failed load can be retried', async () => {
  routes();
  let page = await showClubs({ student_id: '99' });
  expect(text(page, '#load-error')).toContain('未找到该孩子');

  fake.route('GET', '/terms/5/clubs', { network: true }, { network: true }, { network: true }, { status: 200, body: CLUBS });
  page = await showClubs();
  expect(text(page, '#load-error')).toContain('网络不给力');
  await page.instance.onRetry();
  expect(exists(page, '#load-error')).toBe(false);
  expect(page.querySelectorAll('.club')).toHaveLength(4);
});

test('while a first-come round is open the seats refresh by themselves every 30 s, and stop when the page is hidden', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    let seatsTaken = 25;
    routes({ clubs: () => ({ status: 200, body: CLUBS.map((c) => (c.id === 1 ? { ...c, enrolled: seatsTaken, free_seats: 30 - seatsTaken } : c)) }) });
    // the fake backend answers on setTimeout 0: let fake time run for it
    const opening = showClubs();
    await jest.advanceTimersByTimeAsync(100);
    const page = await opening;
    expect(text(page, '#club-1 .club__seats')).toBe('余位 5');
    expect(clubsCalls()).toHaveLength(1);

    // other families take seats meanwhile; nothing is asked before the 30 s are up
    seatsTaken = 28;
    await jest.advanceTimersByTimeAsync(29000);
    expect(clubsCalls()).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(1100);
    expect(clubsCalls()).toHaveLength(2);
    expect(text(page, '#club-1 .club__seats')).toBe('余位 2');
    // a quiet reload: the child and term are not asked for again, and no toast
    expect(fake.sent('GET', '/me')).toHaveLength(1);
    expect(fake.wx.showToast).not.toHaveBeenCalled();

    // and again 30 s later, even when that refresh fails (quietly: the seats stay as they were)
    routes({ clubs: { network: true } });
    await jest.advanceTimersByTimeAsync(31000);
    expect(clubsCalls().length).toBeGreaterThan(2);
    expect(text(page, '#club-1 .club__seats')).toBe('余位 2');
    expect(fake.wx.showToast).not.toHaveBeenCalled();

    // hidden: no more requests, however long it stays hidden
    routes({ clubs: () => ({ status: 200, body: CLUBS }) });
    await jest.advanceTimersByTimeAsync(31000);
    page.instance.onHide();
    expect(page.instance.timer).toBeNull();
    const before = clubsCalls().length;
    await jest.advanceTimersByTimeAsync(120000);
    expect(clubsCalls()).toHaveLength(before);
  } finally {
    jest.useRealTimers();
  }
});

test('no timer when no round is open or about to open', async () => {
  routes({ rounds: [LATER] });
  const page = await showClubs();
  expect(page.instance.timer).toBeFalsy();
});
