const { setUpFakeBackend } = require('./helpers/fake-wx');
const caregroups = require('../services/caregroups');
const { careGroup, secondGroup, groupsOut, offer, tutor } = require('./helpers/leave-fixtures');

beforeEach(() => {
  setUpFakeBackend();
});

test('a group\'s week: tutors in post of those needed', () => {
  const group = careGroup();
  group.days[0] = { ...group.days[0], tutors: [tutor(1, '黄老师'), tutor(2, '王老师', 'hand', false)] };
  const view = caregroups.groupView(group);
  expect(view.place).toBe('一年级1班教室 · 一年级1班');
  expect(view.days[0]).toEqual(expect.objectContaining({ serving: 1, needed: 2, short: true, tutorsText: '黄老师、王老师（已离岗）' }));
  expect(view.days[1].short).toBe(false);
});

test('a build\'s totals per weekday and what it did', () => {
  const out = groupsOut([careGroup(), secondGroup()]);
  expect(caregroups.weekTotals(out)[2]).toEqual({ weekday: 3, label: '周三', children: 82, tutors: 3, needed: 4, short: true });
  expect(caregroups.buildLines({ groups_created: 2, newly_placed: 5, tutors_released: 1 }))
    .toEqual(['新建 2 个临时班', '新安置 5 名学生', '调整掉看护安排 1 人次']);
  expect(caregroups.buildLines({})).toEqual(['没有需要调整的：已分班的学生和看护教师保持不变']);
});

test('the rota and whom one could add on a weekday', () => {
  const group = careGroup();
  expect(caregroups.rotaOf(group)).toHaveLength(10);
  const offers = [
    offer(1, '黄老师', [1, 2]),
    offer(30, '陈老师', [1], [{ group_id: 2, group_name: '三年级合班1', weekday: 1 }]),
    offer(40, '周老师', [1, 3]),
    offer(41, '吴老师', [2]),
  ];
  expect(caregroups.tutorChoices(offers, group, 1)).toEqual([
    { staffId: 40, name: '周老师', busy: false, label: '周老师' },
    { staffId: 30, name: '陈老师', busy: true, label: '陈老师（已在「三年级合班1」）' },
  ]);
  // a club leader that day is named with the club, after those free
  expect(caregroups.tutorChoices(offers, group, 1, [{ name: '书法', teacher_staff_id: 40, weekdays: [1] }]).map((c) => c.label))
    .toEqual(['陈老师（已在「三年级合班1」）', '周老师（周一指导「书法」）']);
});

test('an offer saved with its weekdays in order and a note only when written', async () => {
  const fake = setUpFakeBackend();
  fake.route('PUT', '/terms/5/tutor-offers/4', { status: 200, body: {} });
  await caregroups.saveOffer(5, 4, { weekdays: [5, 1], note: ' ' });
  expect(fake.calls[0].data).toEqual({ weekdays: [1, 5] });
  expect(fake.calls[0].header['Idempotency-Key']).toBeTruthy();
});
