const { fakeBackendEachTest } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME, TERMS, GUARDIAN_ME, apiError } = require('../helpers/enrollment-fixtures');
const { NOW, surveyOut, results, suggestion, CLASSES } = require('../helpers/survey-fixtures');

let fake;

fakeBackendEachTest(NOW, (f) => { fake = f; });

function serve({ list = [surveyOut()], res = results(), texts: items = [suggestion('希望多些户外活动')] } = {}) {
  fake.route('GET', '/me', { status: 200, body: ADMIN_ME });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/surveys', { status: 200, body: list });
  fake.route('GET', '/schools/1/classes', { status: 200, body: CLASSES });
  fake.route('GET', '/surveys/9/results', { status: 200, body: res });
  fake.route('GET', '/surveys/9/suggestions', { status: 200, body: { survey_id: 9, filter: res.filter, items } });
}

test('the figures, a bar per score as a CSS width, the average, the satisfied rate and the suggestions', async () => {
  serve({ res: results({ counts: [0, 1, 1, 0, 2] }) });
  const page = await openPage('survey-results');

  expect(text(page, '#school-term')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(text(page, '#survey-head')).toContain('本学期课后服务满意度调查');
  expect(text(page, '#survey-head')).toContain('进行中');
  expect(text(page, '#responses')).toBe('4');
  expect(text(page, '#response-rate')).toBe('100%');
  expect(text(page, '#satisfied-rate')).toBe('50%');
  expect(text(page, '#filter-label')).toContain('范围：全校');

  // 5 分 first; the width is the share of those who answered
  expect(texts(page, '#result-1 .bar-row__label')).toEqual(['5分 非常满意', '4分 满意', '3分 一般', '2分 不满意', '1分 非常不满意']);
  expect(page.querySelector('#bar-1-s5 .bar__fill').dom.getAttribute('style')).toContain('width: 50%');
  expect(page.querySelector('#bar-1-s4 .bar__fill').dom.getAttribute('style')).toContain('width: 0%');
  expect(page.querySelector('#bar-1-s2 .bar__fill').dom.getAttribute('style')).toContain('width: 25%');
  expect(text(page, '#bar-1-s5')).toContain('2 · 50%');
  expect(text(page, '#average-1')).toBe('3.75');
  expect(text(page, '#rate-1')).toBe('50%');
  // a choice question: a bar per option
  expect(texts(page, '#result-2 .bar-row__label')).toEqual(['很愿意', '比较愿意', '不太愿意']);
  expect(page.querySelector('#bar-2-o1 .bar__fill').dom.getAttribute('style')).toContain('width: 100%');
  expect(text(page, '#result-4')).toContain('1 条，见下方「意见建议」');

  expect(texts(page, '.suggestion__text')).toEqual(['希望多些户外活动']);
  expect(text(page, '.suggestion__meta')).toBe('一年级1班 · 昨天 17:00');
  const calls = fake.calls.map((c) => `${c.method} ${c.path}`);
  expect(calls).toEqual(expect.arrayContaining(['GET /surveys/9/results', 'GET /surveys/9/suggestions']));
  expect(fake.sent('GET', '/surveys/9/results')[0].data).toEqual({});
});

test('filters: a grade, then one class of it; the results are asked again for each', async () => {
  serve();
  const page = await openPage('survey-results');
  expect(texts(page, '#grade-chips .chip')).toEqual(['全校', '一年级', '四年级']);
  expect(exists(page, '#class-chips')).toBe(false);

  fake.route('GET', '/surveys/9/results', { status: 200, body: results({ label: '一年级', grade: 1, counts: [0, 0, 0, 1, 1] }) });
  await tap(page, '#grade-1');
  expect(fake.sent('GET', '/surveys/9/results')[1].data).toEqual({ grade: 1 });
  expect(fake.sent('GET', '/surveys/9/suggestions')[1].data).toEqual({ grade: 1 });
  expect(text(page, '#filter-label')).toContain('范围：一年级');
  expect(text(page, '#satisfied-rate')).toBe('100%');
  expect(texts(page, '#class-chips .chip')).toEqual(['一年级1班', '一年级2班']);
  expect(page.querySelector('#grade-1').dom.className).toContain('chip--on');

  fake.route('GET', '/surveys/9/results', { status: 200, body: results({ label: '一年级2班', classId: 4, counts: [1, 0, 0, 0, 0] }) });
  await tap(page, '#class-4');
  expect(fake.sent('GET', '/surveys/9/results')[2].data).toEqual({ class_id: 4 });
  expect(text(page, '#filter-label')).toContain('范围：一年级2班');
  expect(text(page, '#satisfied-rate')).toBe('0%');
  expect(page.querySelector('#class-4').dom.className).toContain('chip--on');
  expect(page.querySelector('#grade-1').dom.className).not.toContain('chip--on');

  await tap(page, '#grade-0');
  expect(fake.sent('GET', '/surveys/9/results')[3].data).toEqual({});
  expect(exists(page, '#class-chips')).toBe(false);
});

test('several surveys: published ones as chips (drafts left out), the chosen one read', async () => {
  serve({ list: [surveyOut({ id: 12, title: '草稿问卷', status: 'draft', state: 'draft', state_label: '草稿' }),
    surveyOut(), surveyOut({ id: 7, title: '上学期问卷', status: 'closed', state: 'closed', state_label: '已结束' })] });
  fake.route('GET', '/surveys/7/results', { status: 200, body: results({ counts: [0, 0, 0, 0, 0] }) });
  fake.route('GET', '/surveys/7/suggestions', { status: 200, body: { survey_id: 7, filter: {}, items: [] } });
  const page = await openPage('survey-results');
  expect(texts(page, '#survey-chips .chip')).toEqual(['本学期课后服务满意度调查', '上学期问卷']);

  await tap(page, '#survey-7');
  expect(fake.sent('GET', '/surveys/7/results')).toHaveLength(1);
  expect(text(page, '#survey-head')).toContain('上学期问卷');
  expect(text(page, '#survey-head')).toContain('已结束');
  expect(text(page, '#average-1')).toBe('—');
  expect(text(page, '#no-suggestions')).toBe('还没有家长填写意见建议。');
});

test('many suggestions: twenty first, then all', async () => {
  serve({ texts: Array.from({ length: 23 }, (_, i) => suggestion(`建议${i}`)) });
  const page = await openPage('survey-results');
  expect(page.querySelectorAll('.suggestion')).toHaveLength(20);
  expect(text(page, '#more-suggestions')).toBe('显示全部 23 条');
  await tap(page, '#more-suggestions');
  expect(page.querySelectorAll('.suggestion')).toHaveLength(23);
  expect(exists(page, '#more-suggestions')).toBe(false);
});

test('no survey published this term yet', async () => {
  serve({ list: [surveyOut({ status: 'draft', state: 'draft' })] });
  const page = await openPage('survey-results');
  expect(text(page, '#no-surveys')).toContain('本学期还没有发布满意度调查');
  expect(fake.sent('GET', '/surveys/9/results')).toHaveLength(0);
});

test('only admins: anyone else gets the reason, and a failed load offers 重新加载', async () => {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  let page = await openPage('survey-results');
  expect(text(page, '#load-error')).toContain('只有教导处管理员可以查看调查结果');

  serve();
  fake.route('GET', '/surveys/9/results', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'));
  page = await openPage('survey-results');
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  fake.route('GET', '/surveys/9/results', { status: 200, body: results() });
  await tap(page, '#retry-btn');
  expect(text(page, '#responses')).toBe('3');
});
