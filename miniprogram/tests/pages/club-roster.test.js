const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, text, texts, exists } = require('../helpers/render-page');
const { TEACHER_ME, TERMS, club } = require('../helpers/club-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.wx.makePhoneCall = jest.fn();
});

// what GET /terms/5/my-clubs answers for the teacher: the clubs they lead
const lead = (overrides) => club({
  teacher_staff_id: 40, teacher_name: '张老师', venue: '书法教室', weekdays: [1], start_time: '16:20', end_time: '17:00',
  grades: [3, 4, 5, 6], enrolled: 2, may_choose: null, ...overrides,
});
const MINE = [
  lead({ id: 1, name: '书法' }),
  lead({ id: 7, name: '篮球', category: 'sport', category_label: '体育', weekdays: [1, 3], end_time: '17:20', grades: [4, 5, 6], venue: '篮球场', capacity: 2, waitlisted: 2 }),
];

const CALLIGRAPHY = [
  { student_id: 11, student_name: '陈一', class_name: '三年级(1)班', status: 'enrolled', position: null, guardians: ['妈妈 林芳 13800000001', '爸爸 陈强 13900000002'] },
  { student_id: 12, student_name: '王二', class_name: '四年级(2)班', status: 'enrolled', position: null, guardians: [] },
];

const BASKETBALL = [
  { student_id: 21, student_name: '赵甲', class_name: '四年级(1)班', status: 'enrolled', position: null, guardians: ['爷爷 赵国 13700000003'] },
  { student_id: 22, student_name: '钱乙', class_name: '五年级(1)班', status: 'enrolled', position: null, guardians: ['妈妈 孙丽 13600000004'] },
  // the API orders the waitlist by class; the page by position
  { student_id: 23, student_name: '孙丙', class_name: '四年级(3)班', status: 'waitlisted', position: 2, guardians: ['妈妈 周红 13500000005'] },
  { student_id: 24, student_name: '李丁', class_name: '六年级(2)班', status: 'waitlisted', position: 1, guardians: ['爸爸 李伟 13400000006'] },
];

function routes({ profile = TEACHER_ME, mine = MINE } = {}) {
  fake.route('GET', '/me', { status: 200, body: profile });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/my-clubs', { status: 200, body: mine });
  fake.route('GET', '/clubs/1/roster', { status: 200, body: CALLIGRAPHY });
  fake.route('GET', '/clubs/7/roster', { status: 200, body: BASKETBALL });
}

const showRoster = () => openPage('club-roster');

const names = (page, section) => texts(page, `${section} .student__name`);

test('a teacher sees the clubs they lead (the server\'s my-clubs), and the first one\'s roster with class and guardians', async () => {
  routes();
  const page = await showRoster();

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /me', 'GET /schools/1/terms', 'GET /terms/5/my-clubs', 'GET /clubs/1/roster',
  ]);
  expect(page.querySelectorAll('.tab').map((n) => n.dom.textContent.trim())).toEqual(['书法', '篮球']);
  expect(text(page, '#club-info')).toContain('周一 16:20–17:00 · 书法教室');
  expect(text(page, '#club-counts')).toBe('已选上 2 / 30 人 · 候补 0 人');

  expect(names(page, '#enrolled')).toEqual(['陈一', '王二']);
  const first = page.querySelectorAll('#enrolled .student')[0];
  expect(first.dom.textContent).toContain('三年级(1)班');
  expect(page.querySelectorAll('#enrolled .contact__label').map((n) => n.dom.textContent)).toEqual(['妈妈 林芳', '爸爸 陈强']);
  expect(page.querySelectorAll('#enrolled .contact__phone').map((n) => n.dom.textContent)).toEqual(['13800000001', '13900000002']);
  expect(page.querySelectorAll('#enrolled .student')[1].dom.textContent).toContain('未登记家长联系方式');
  expect(text(page, '#waiting')).toContain('没有候补');
});

test('switching clubs shows the enrolled children, then the waitlist in position order', async () => {
  routes();
  const page = await showRoster();

  page.querySelectorAll('.tab')[1].dispatchEvent('tap');
  await flush();

  expect(text(page, '#club-counts')).toBe('已选上 2 / 2 人 · 候补 2 人');
  expect(names(page, '#enrolled')).toEqual(['赵甲', '钱乙']);
  expect(names(page, '#waiting')).toEqual(['李丁', '孙丙']);
  expect(page.querySelectorAll('#waiting .student__position').map((n) => n.dom.textContent)).toEqual(['候补第1位', '候补第2位']);

  // back to the first club: its roster is not fetched again
  page.querySelectorAll('.tab')[0].dispatchEvent('tap');
  await flush();
  expect(fake.calls.filter((c) => c.path === '/clubs/1/roster')).toHaveLength(1);
  expect(names(page, '#enrolled')).toEqual(['陈一', '王二']);
});

test('tapping a guardian\'s phone number calls it', async () => {
  routes();
  const page = await showRoster();

  page.querySelectorAll('#enrolled .contact__phone')[1].dispatchEvent('tap');
  await flush();

  expect(fake.wx.makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: '13900000002' }));
});

test('a teacher without clubs, a class head who teaches none, and a guardian, are told so', async () => {
  routes({ mine: [] });
  let page = await showRoster();
  expect(text(page, '#no-clubs')).toBe('本学期您没有指导的社团');
  expect(fake.calls.some((c) => c.path.endsWith('/roster'))).toBe(false);

  // my-clubs answers teachers and admins only: a class head is not asked about
  routes({ profile: { ...TEACHER_ME, roles: ['class_head'], schools: [{ id: 1, name: '示范小学', roles: ['class_head'], staff_id: 41 }] } });
  const before = fake.calls.length;
  page = await showRoster();
  expect(text(page, '#no-clubs')).toBe('本学期您没有指导的社团');
  expect(fake.calls.slice(before).map((c) => c.path)).toEqual(['/me']);

  routes({ profile: { account_id: 7, name: '王芳', roles: ['guardian'], schools: [], children: [] } });
  page = await showRoster();
  expect(text(page, '#no-clubs')).toBe('只有学校教职工可以查看社团名单');
});

test('a roster that fails to load can be retried; pull-down refresh fetches it again', async () => {
  routes();
  fake.route('GET', '/clubs/1/roster', { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了，请稍后再试' } } },
    { status: 200, body: CALLIGRAPHY });
  const page = await showRoster();
  expect(text(page, '#roster-error')).toContain('服务器开小差了');

  await page.instance.onRetryRoster();
  expect(exists(page, '#roster-error')).toBe(false);
  expect(names(page, '#enrolled')).toEqual(['陈一', '王二']);

  await page.instance.onPullDownRefresh();
  expect(fake.calls.filter((c) => c.path === '/clubs/1/roster')).toHaveLength(3);
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});
