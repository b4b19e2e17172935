const surveys = require('../services/surveys');
const { QUESTIONS, CLASSES } = require('./helpers/survey-fixtures');

const [RATING, SINGLE, MULTIPLE, TEXT] = QUESTIONS;

test('checkAnswers: the payload as ResponseIn, blank optional questions left out, text trimmed', () => {
  const answers = surveys.emptyAnswers(QUESTIONS);
  expect(answers).toEqual({ 1: { rating: 0 }, 2: { options: [] }, 3: { options: [] }, 4: { text: '' } });
  answers[1] = { rating: 5 };
  answers[2] = { options: [2] };
  answers[4] = { text: '  很好 ' };
  expect(surveys.checkAnswers(QUESTIONS, answers)).toEqual({ payload: { answers: [
    { question_id: 1, rating: 5 }, { question_id: 2, option_ids: [2] }, { question_id: 4, text: '很好' }] } });
});

test('checkAnswers refuses as the server does: required, a rating 1–5, one option for a single choice, length', () => {
  expect(surveys.checkAnswers(QUESTIONS, surveys.emptyAnswers(QUESTIONS))).toEqual({ errors: { 1: '此题必答', 2: '此题必答' } });
  expect(surveys.checkAnswers(QUESTIONS, { 1: { rating: 6 }, 2: { options: [1, 2] } }).errors).toEqual({
    1: '评分须为 1–5 分', 2: '单选题只能选一项' });
  expect(surveys.checkAnswers([TEXT], { 4: { text: 'x'.repeat(1001) } }).errors).toEqual({ 4: '最多 1000 个字' });
  expect(surveys.checkAnswers([MULTIPLE, TEXT], { 3: { options: [] }, 4: { text: ' ' } }).errors).toEqual({
    '': '请至少回答一道题' });
  expect(surveys.checkAnswers([{ ...TEXT, required: true }], {}).errors).toEqual({ 4: '请填写此题' });
});

test('answerAfter: a rating, single replaces (a second tap clears), multiple toggles in order, text', () => {
  expect(surveys.answerAfter(RATING, { rating: 2 }, { rating: '4' })).toEqual({ rating: 4 });
  expect(surveys.answerAfter(SINGLE, { options: [1] }, { optionId: '3' })).toEqual({ options: [3] });
  expect(surveys.answerAfter(SINGLE, { options: [3] }, { optionId: 3 })).toEqual({ options: [] });
  expect(surveys.answerAfter(MULTIPLE, { options: [3] }, { optionId: 1 })).toEqual({ options: [1, 3] });
  expect(surveys.answerAfter(MULTIPLE, { options: [1, 3] }, { optionId: 3 })).toEqual({ options: [1] });
  expect(surveys.answerAfter(TEXT, {}, { text: '好' })).toEqual({ text: '好' });
});

test('answersFromResponse puts a submitted response back into the form', () => {
  const response = { answers: [{ question_id: 1, rating: 3 }, { question_id: 3, option_ids: [1, 2] },
    { question_id: 4, text: '好' }, { question_id: 99, rating: 1 }] };
  expect(surveys.answersFromResponse(QUESTIONS, response)).toEqual({
    1: { rating: 3 }, 2: { options: [] }, 3: { options: [1, 2] }, 4: { text: '好' } });
});

test('refusalErrors: per question from the server, else the message for the form', () => {
  const err = { code: 'SURVEY_ANSWER_INVALID', message: '第 1 题：…', errors: [
    { question_id: 1, message: '评分须为 1–5 分' }, { question_id: 2, message: '此题必答' }] };
  expect(surveys.refusalErrors(err)).toEqual({ 1: '评分须为 1–5 分', 2: '此题必答' });
  expect(surveys.refusalErrors({ code: 'SURVEY_CLOSED', message: '问卷已结束' })).toEqual({ '': '问卷已结束' });
});

test('bars: the share as a width, at least a sliver when there is any, never past 100%', () => {
  expect(surveys.barStyle(37.5)).toBe('width: 37.5%');
  expect(surveys.barStyle(0.4)).toBe('width: 1%');
  expect(surveys.barStyle(0)).toBe('width: 0%');
  expect(surveys.barStyle(140)).toBe('width: 100%');
});

test('filters: 全校 and the grades that have classes; the classes of a grade in order', () => {
  expect(surveys.filterOptions(CLASSES).map((f) => f.label)).toEqual(['全校', '一年级', '四年级']);
  expect(surveys.classOptions(CLASSES, 1).map((c) => [c.label, c.classId])).toEqual([['一年级1班', 3], ['一年级2班', 4]]);
});

test('the API: paths, the filter as a query, the answer as an idempotent PUT', async () => {
  const { setUpFakeBackend } = require('./helpers/fake-wx');
  const fake = setUpFakeBackend();
  fake.route('PUT', '/surveys/9/responses/11', { status: 200, body: {} });
  fake.route('GET', '/surveys/9/results', { status: 200, body: {} });
  await surveys.submitAnswers(9, 11, { answers: [] }, { idempotencyKey: 'k-1' });
  await surveys.results(9, { grade: 3, classId: 0 });
  await surveys.results(9, { grade: 3, classId: 7 });
  expect(fake.calls[0].header['Idempotency-Key']).toBe('k-1');
  expect(fake.calls.slice(1).map((c) => c.data)).toEqual([{ grade: 3 }, { class_id: 7 }]);
});
