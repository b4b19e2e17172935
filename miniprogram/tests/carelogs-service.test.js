const { setUpFakeBackend } = require('./helpers/fake-wx');
const carelogs = require('../services/carelogs');
const { NOW, careVersion } = require('./helpers/duty-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => jest.restoreAllMocks());

test('GET the history; PUT a version with a key, `unusual` only when written', async () => {
  fake.route('GET', '/sessions/4/care-log', { status: 200, body: { current: null, versions: [] } });
  fake.route('PUT', '/sessions/4/care-log', { network: true }, { status: 200, body: {} });
  await carelogs.careLog(4);
  await carelogs.saveCareLog(4, { activities: ['homework'], summary: '作业', childNotes: [], unusual: '' });
  const puts = fake.sent('PUT', '/sessions/4/care-log');
  expect(puts[0].data).toEqual({ activities: ['homework'], summary: '作业', child_notes: [] });
  expect(puts[1].header['Idempotency-Key']).toBe(puts[0].header['Idempotency-Key']);
});

test('the form checked as CareLogIn', () => {
  expect(carelogs.checkCareLog({ activities: [], summary: ' ', notes: [{ id: 1, name: '曹一', note: ' ' }, { id: 2, name: '张二', note: '' }], unusual: '' }).errors)
    .toEqual({ activities: '请至少选择一项活动', summary: '请写下孩子们今天做了什么', notes: '请填写曹一、张二的备注，或移除' });
  expect(carelogs.checkCareLog({ activities: ['reading'], summary: ' 读书 ', notes: [{ id: 1, name: '曹一', note: ' 很认真 ' }], unusual: ' 无 ' }))
    .toEqual({ payload: { activities: ['reading'], summary: '读书', childNotes: [{ student_id: 1, note: '很认真' }], unusual: '无' } });
});

test('a version as the history shows it; the form begun at the current one', () => {
  const v = careVersion(2, { child_notes: [{ student_id: 1, note: '很认真', name: '曹一' }], unusual: '有人发烧' });
  expect(carelogs.versionView(v)).toEqual({
    version: 2, title: '第 2 版', meta: '李老师 · 今天 16:12', activitiesText: '作业辅导、阅读',
    summary: '完成数学作业，读绘本（第 2 版）', notes: [{ id: 1, text: '曹一：很认真' }], unusual: '有人发烧',
  });
  expect(carelogs.formFrom(v)).toEqual({
    activities: ['homework', 'reading'], summary: '完成数学作业，读绘本（第 2 版）', notes: [{ id: 1, name: '曹一', note: '很认真' }], unusual: '有人发烧',
  });
  expect(carelogs.formFrom(null)).toEqual({ activities: [], summary: '', notes: [], unusual: '' });
});
