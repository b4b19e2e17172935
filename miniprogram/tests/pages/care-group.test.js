const { setUpFakeBackend } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME, CLASS_HEAD_ME, apiError } = require('../helpers/enrollment-fixtures');
const {
  careGroup, secondGroup, groupsOut, groupDetail, member, offer, tutor, NOT_PLACED,
} = require('../helpers/leave-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

const GROUP1 = (weekday) => ({ group_id: 1, group_name: '一年级1班', weekday });
const GROUP2 = (weekday) => ({ group_id: 2, group_name: '三年级合班1', weekday });
const OFFERS = [
  offer(1, '黄老师', [1, 2, 3, 5], [1, 2, 3, 5].map(GROUP1)),
  offer(25, '李老师', [2, 4, 5], [2, 4, 5].map(GROUP1)),
  offer(26, '刘老师', [1, 3, 4], [1, 3, 4].map(GROUP1)),
  offer(30, '陈老师', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5].map(GROUP2)),
  offer(40, '周老师', [1, 2, 3, 4, 5]),
];
const OTHER_GRADE = {
  code: 'OTHER_GRADE', message: '陈小雨（三年级2班）不是一年级学生，在一年级1班看护', group_id: 1, weekday: null, student_id: 51,
};

// 周老师 leads 科学小实验 on Wednesdays.
const CLUBS = [{ id: 3, term_id: 5, name: '科学小实验', teacher_staff_id: 40, teacher_name: '周老师', weekdays: [3] }];

function serve({ me = ADMIN_ME, detail = groupDetail(), offers = OFFERS } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/care-groups/1', { status: 200, body: detail });
  fake.route('GET', '/terms/5/tutor-offers', { status: 200, body: offers });
  fake.route('GET', '/terms/5/clubs', { status: 200, body: CLUBS });
}

const open = () => openPage('care-group', { group_id: '1', term_id: '5' });

// The rota of GROUP 1 as the fixtures have it.
const ROTA = [
  { staff_id: 1, weekday: 1 }, { staff_id: 26, weekday: 1 }, { staff_id: 1, weekday: 2 }, { staff_id: 25, weekday: 2 },
  { staff_id: 1, weekday: 3 }, { staff_id: 26, weekday: 3 }, { staff_id: 25, weekday: 4 }, { staff_id: 26, weekday: 4 },
  { staff_id: 1, weekday: 5 }, { staff_id: 25, weekday: 5 },
];

test('the group: its warnings, the tutors of each weekday, its members', async () => {
  const detail = groupDetail(careGroup({ warnings: [OTHER_GRADE] }), [
    member(11, '李小明'),
    member(12, '王小华', { weekdays: [1, 3] }),
    member(51, '陈小雨', { class_name: '三年级2班', placed_by: 'hand', reason: '与双胞胎姐姐同班看护', photo_url: '/api/v1/students/51/photo/a.jpg?exp=1&sig=x' }),
    member(13, '赵小刚', { weekdays: [] }),
  ]);
  serve({ detail });
  const page = await open();

  expect(text(page, '#group-name')).toBe('一年级1班');
  expect(text(page, '#group-meta')).toBe('一年级1班教室 · 一年级1班 · 35 人');
  expect(text(page, '#warnings')).toContain('跨年级');
  expect(text(page, '#warnings')).toContain('陈小雨（三年级2班）不是一年级学生');
  expect(text(page, '#day-1')).toContain('留校 35 人 · 需 2 名');
  expect(page.instance.data.days[0].tutors.map((t) => t.name)).toEqual(['黄老师', '刘老师']);
  // those who offered Monday and are not on it yet; one busy elsewhere is named with where, last
  expect(page.instance.data.days[0].choiceLabels).toEqual(['周老师', '陈老师（已在「三年级合班1」）']);
  // Friday: 黄老师 and 李老师 are on it; 刘老师 did not offer Friday
  expect(page.instance.data.days[4].choiceLabels).toEqual(['周老师', '陈老师（已在「三年级合班1」）']);
  // Wednesday: 周老师 leads a club then
  expect(page.instance.data.days[2].choiceLabels).toEqual(['陈老师（已在「三年级合班1」）', '周老师（周三指导「科学小实验」）']);

  expect(text(page, '#roster')).toContain('学生名单（4 人）');
  expect(text(page, '#member-12')).toContain('周一、周三');
  expect(text(page, '#member-11')).toContain('周一至周五');
  expect(text(page, '#member-51')).toContain('手动调入：与双胞胎姐姐同班看护');
  // the signed photo link from the API's origin; no photo: the initial
  expect(page.querySelector('#member-51 .member__photo').dom.tagName).toBe('WX-IMAGE');
  expect(page.instance.data.roster[2].photoUrl).toBe('http://api.test/api/v1/students/51/photo/a.jpg?exp=1&sig=x');
  expect(text(page, '#member-11 .member__photo')).toBe('李');
  expect(text(page, '#member-13')).toContain('已不在托管名单');
  expect(exists(page, '#edit-info-btn')).toBe(true);
  expect(exists(page, '#open-move-btn')).toBe(true);
});

test('a weekday short of tutors is marked', async () => {
  const group = careGroup();
  group.days[2] = { ...group.days[2], tutors: [tutor(1, '黄老师'), tutor(26, '刘老师', 'build', false)] };
  serve({ detail: groupDetail(group) });
  const page = await open();
  expect(page.querySelector('#day-3').dom.className).toContain('day--short');
  expect(text(page, '#day-3')).toContain('缺 1 名');
  expect(text(page, '#day-3')).toContain('已离岗');
});

test('adding a tutor sends the whole rota once (idempotent) and reads the group again', async () => {
  serve();
  const page = await open();
  const added = careGroup();
  added.days[0] = { ...added.days[0], tutors: added.days[0].tutors.concat([tutor(40, '周老师', 'hand')]) };
  fake.route('PUT', '/care-groups/1/tutors', { status: 200, body: groupDetail(added) });
  fake.route('GET', '/care-groups/1', { status: 200, body: groupDetail(added) });
  await pick(page, '#add-tutor-1', 0);

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/care-groups/1/tutors');
  expect(fake.mutations()[0].data).toEqual({ tutors: ROTA.concat([{ staff_id: 40, weekday: 1 }]) });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存' }));
  expect(page.instance.data.days[0].tutors.map((t) => t.name)).toEqual(['黄老师', '刘老师', '周老师']);
  expect(text(page, '#tutor-1-40')).toContain('指定');
  expect(page.instance.data.tutorBusy).toBe(0);
});

test('a teacher busy elsewhere that day: the server\'s refusal in a modal', async () => {
  serve();
  const page = await open();
  fake.route('PUT', '/care-groups/1/tutors', apiError(409, 'TUTOR_BUSY', '陈老师周一已在「三年级合班1」看护，同一天不能看护两个班'));
  await pick(page, '#add-tutor-1', 1);

  expect(fake.mutations()[0].data.tutors).toContainEqual({ staff_id: 30, weekday: 1 });
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '未能安排', content: '陈老师周一已在「三年级合班1」看护，同一天不能看护两个班',
  }));
});

test('removing a tutor asks first, then sends the rota without them', async () => {
  serve();
  const page = await open();

  fake.answerModal(false);
  await tap(page, '#tutor-2-25 .remove-tutor');
  expect(fake.wx.showModal.mock.calls[0][0].content).toBe('周二不再由李老师看护「一年级1班」？');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  fake.route('PUT', '/care-groups/1/tutors', { status: 200, body: groupDetail() });
  await tap(page, '#tutor-2-25 .remove-tutor');
  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].data.tutors).toEqual(ROTA.filter((s) => !(s.staff_id === 25 && s.weekday === 2)));
});

test('name and room: only what changed is sent; a name taken is said on the field', async () => {
  serve();
  const page = await open();
  await tap(page, '#edit-info-btn');
  expect(page.instance.data.infoName).toBe('一年级1班');

  await type(page, '#name-input', '  ');
  await tap(page, '#info-save');
  expect(text(page, '#name-error')).toBe('请填写临时班名称');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#name-input', '一年级看护班');
  fake.route('PATCH', '/care-groups/1', apiError(409, 'GROUP_NAME_TAKEN', '本学期已有同名看护班', { name: '同名看护班已存在' }));
  await tap(page, '#info-save');
  expect(fake.mutations()[0].data).toEqual({ name: '一年级看护班' });
  expect(text(page, '#name-error')).toBe('同名看护班已存在');

  await type(page, '#name-input', '一年级1班');
  await type(page, '#room-input', '阅览室');
  const renamed = groupDetail(careGroup({ room: '阅览室' }));
  fake.route('PATCH', '/care-groups/1', { status: 200, body: renamed });
  fake.route('GET', '/care-groups/1', { status: 200, body: renamed });
  await tap(page, '#info-save');
  expect(fake.mutations()[1].data).toEqual({ room: '阅览室' });
  expect(fake.mutations()[1].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#info-form')).toBe(false);
  expect(text(page, '#group-meta')).toContain('阅览室');
});

test('moving a child here: from another group, with a reason; the answer\'s warnings are said', async () => {
  serve();
  fake.route('GET', '/terms/5/care-groups', { status: 200, body: groupsOut([careGroup(), secondGroup()], [NOT_PLACED]) });
  fake.route('GET', '/care-groups/2', { status: 200, body: groupDetail(secondGroup(), [
    member(50, '陈小云', { class_name: '三年级2班' }), member(51, '陈小雨', { class_name: '三年级2班' }),
  ]) });
  const page = await open();

  await tap(page, '#open-move-btn');
  expect(page.instance.data.sourceLabels).toEqual(['未分班学生（1 人）', '三年级合班1（47 人）']);
  await pick(page, '#source-picker', 1);
  expect(page.instance.data.studentLabels).toEqual(['陈小云（三年级2班）', '陈小雨（三年级2班）']);
  await tap(page, '#move-btn');
  expect(text(page, '#move-error')).toBe('请选择要调入的学生');
  await pick(page, '#student-picker', 1);
  expect(text(page, '#student-value')).toBe('陈小雨（三年级2班）');
  await tap(page, '#move-btn');
  expect(text(page, '#move-error')).toContain('请填写调整原因');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#move-reason', '与双胞胎姐姐同班看护');
  fake.route('POST', '/care-groups/1/members', { status: 200, body: {
    group: careGroup({ members: 36, warnings: [OTHER_GRADE] }), from_group: secondGroup({ members: 46 }), warnings: [OTHER_GRADE],
  } });
  await tap(page, '#move-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/care-groups/1/members');
  expect(fake.mutations()[0].data).toEqual({ student_id: 51, reason: '与双胞胎姐姐同班看护' });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '已调入，请注意', content: '陈小雨（三年级2班）不是一年级学生，在一年级1班看护',
  }));
  expect(exists(page, '#move-panel')).toBe(false);
  expect(fake.sent('GET', '/care-groups/1')).toHaveLength(2);
});

test('moving an unplaced child; without warnings a toast; a refusal stays in the panel', async () => {
  serve();
  fake.route('GET', '/terms/5/care-groups', { status: 200, body: groupsOut([careGroup(), secondGroup()], [NOT_PLACED]) });
  const page = await open();
  await tap(page, '#open-move-btn');
  await pick(page, '#source-picker', 0);
  expect(page.instance.data.studentLabels).toEqual(['周小雨（二年级1班）']);
  await pick(page, '#student-picker', 0);
  await type(page, '#move-reason', '新审定通过');

  fake.route('POST', '/care-groups/1/members', apiError(409, 'CHILD_NOT_IN_CARE', '周小雨本学期没有已通过的课后服务申请，不能分到看护班'));
  await tap(page, '#move-btn');
  expect(text(page, '#move-error')).toBe('周小雨本学期没有已通过的课后服务申请，不能分到看护班');
  expect(exists(page, '#move-panel')).toBe(true);

  fake.route('POST', '/care-groups/1/members', { status: 200, body: { group: careGroup(), from_group: null, warnings: [] } });
  await tap(page, '#move-btn');
  expect(fake.mutations()[1].data).toEqual({ student_id: 99, reason: '新审定通过' });
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已调入' }));
});

test('staff who are not admins read the group without the admin\'s tools', async () => {
  serve({ me: CLASS_HEAD_ME });
  const page = await open();
  expect(text(page, '#group-name')).toBe('一年级1班');
  expect(fake.sent('GET', '/terms/5/tutor-offers')).toHaveLength(0);
  expect(fake.sent('GET', '/terms/5/clubs')).toHaveLength(0);
  expect(exists(page, '#edit-info-btn')).toBe(false);
  expect(exists(page, '#open-move-btn')).toBe(false);
  expect(exists(page, '#add-tutor-1')).toBe(false);
  expect(exists(page, '.remove-tutor')).toBe(false);
});

test('a group of another school (404): its message, and 重新加载', async () => {
  serve();
  fake.route('GET', '/care-groups/1', apiError(404, 'NOT_FOUND', '未找到该看护班'), { status: 200, body: groupDetail() });
  const page = await open();
  expect(text(page, '#load-error')).toContain('未找到该看护班');
  await tap(page, '#retry-btn');
  expect(text(page, '#group-name')).toBe('一年级1班');
});
