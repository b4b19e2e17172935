const { fakeBackendEachTest, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { NOW, mySurvey, response, child } = require('../helpers/survey-fixtures');
const { apiError } = require('../helpers/enrollment-fixtures');

let fake;

fakeBackendEachTest(NOW, (f) => { fake = f; });

const SIBLING = child([], { student_id: 12, student_name: '李小红', class_name: '四年级1班' });
const SENT = response([{ question_id: 1, rating: 4 }, { question_id: 2, option_ids: [1] },
  { question_id: 3, option_ids: [1, 3] }, { question_id: 4, text: '希望多些户外活动' }]);

function serve(mine) {
  fake.route('GET', '/surveys/mine', { status: 200, body: mine });
}

const PUT_URL = '/surveys/9/responses/11';

test('the list shows each child with its open surveys, 待填写 or 已提交', async () => {
  serve([child([mySurvey()]), { ...SIBLING, surveys: [mySurvey({ id: 10, title: '食堂满意度', answered: true, closes_at: null,
    response: response([{ question_id: 1, rating: 5 }], { survey_id: 10, student_id: 12 }) })] }]);
  const page = await openPage('survey');

  expect(texts(page, '.child .section__title')).toEqual(['李小明一年级1班 · 示范小学', '李小红四年级1班 · 示范小学']);
  expect(text(page, '#survey-11-9')).toContain('本学期课后服务满意度调查');
  expect(text(page, '#survey-11-9')).toContain('待填写');
  expect(text(page, '#survey-11-9')).toContain('4 道题 · 截止 12-20 18:00');
  expect(text(page, '#survey-12-10')).toContain('已提交');
  expect(text(page, '#survey-12-10')).toContain('已于今天 09:30提交');
});

test("from a child's card only that child is shown; a child with nothing to answer says so", async () => {
  serve([child([mySurvey()]), SIBLING]);
  const page = await openPage('survey', { student_id: '12' });
  expect(page.querySelectorAll('.child')).toHaveLength(1);
  expect(text(page, '#child-12')).toContain('暂时没有需要填写的问卷');
});

test('the form: 1–5 buttons with words, one option or several, text; required ones are checked before sending', async () => {
  serve([child([mySurvey()])]);
  const page = await openPage('survey');
  await tap(page, '#survey-11-9');

  expect(text(page, '#form-title')).toBe('本学期课后服务满意度调查');
  expect(text(page, '#form-meta')).toBe('为 李小明 填写 · 截止 12-20 18:00');
  expect(text(page, '#form-intro')).toBe('请如实填写。');
  expect(page.querySelectorAll('#question-1 .star')).toHaveLength(5);
  expect(text(page, '#rating-label-1')).toBe('请点选 1–5 分（5 分为非常满意）');

  await tap(page, '#submit-btn');
  expect(fake.mutations()).toHaveLength(0);
  expect(text(page, '#error-1')).toBe('此题必答');
  expect(text(page, '#error-2')).toBe('此题必答');
  expect(exists(page, '#error-3')).toBe(false); // optional
  expect(text(page, '#form-error')).toBe('还有题目没有填好，请看标红的题目');

  await tap(page, '#rate-1-4');
  expect(text(page, '#rating-label-1')).toBe('4 分 · 满意');
  expect(exists(page, '#error-1')).toBe(false);
  expect(page.querySelectorAll('#question-1 .star--on')).toHaveLength(4);
  await tap(page, '#rate-1-2');
  expect(text(page, '#rating-label-1')).toBe('2 分 · 不满意');

  // single: one at a time; multiple: toggles
  await tap(page, '#option-2-1');
  await tap(page, '#option-2-3');
  expect(page.querySelectorAll('#question-2 .option--on').map((n) => n.dom.textContent.trim())).toEqual(['●不太愿意']);
  await tap(page, '#option-3-1');
  await tap(page, '#option-3-2');
  await tap(page, '#option-3-1');
  expect(page.querySelectorAll('#question-3 .option--on').map((n) => n.dom.textContent.trim())).toEqual(['☑阅读']);
});

test('submit sends the answers once with an Idempotency-Key, then shows 已提交 and what was sent', async () => {
  serve([child([mySurvey()])]);
  const page = await openPage('survey');
  await tap(page, '#survey-11-9');
  await tap(page, '#rate-1-4');
  await tap(page, '#option-2-1');
  await tap(page, '#option-3-3');
  await tap(page, '#option-3-1');
  await type(page, '#text-4', '  希望多些户外活动 ');
  fake.route('PUT', PUT_URL, { status: 200, body: SENT });
  serve([child([mySurvey({ answered: true, response: SENT })])]);

  page.querySelector('#submit-btn').dispatchEvent('tap');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await flush(20);

  expect(fake.mutations()).toHaveLength(1);
  const sent = fake.mutations()[0];
  expect(sent.method).toBe('PUT');
  expect(sent.path).toBe(PUT_URL);
  expect(sent.header['Idempotency-Key']).toBeTruthy();
  expect(sent.data).toEqual({ answers: [
    { question_id: 1, rating: 4 }, { question_id: 2, option_ids: [1] }, { question_id: 3, option_ids: [1, 3] },
    { question_id: 4, text: '希望多些户外活动' },
  ] });
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已提交' }));
  expect(text(page, '#answered-banner')).toContain('已提交，感谢您的反馈');
  expect(text(page, '#answered-banner')).toContain('提交时间：2026-12-01 09:30');
  expect(exists(page, '#submit-btn')).toBe(false);
  expect(text(page, '#rating-label-1')).toBe('4 分 · 满意');
  expect(text(page, '#text-4')).toBe('希望多些户外活动');

  // read-only now: a tap changes nothing
  await tap(page, '#rate-1-1');
  expect(text(page, '#rating-label-1')).toBe('4 分 · 满意');

  await tap(page, '#back-btn');
  expect(text(page, '#survey-11-9')).toContain('已提交');
});

test('no answer came: a second tap resends under the same key', async () => {
  serve([child([mySurvey()])]);
  const page = await openPage('survey');
  await tap(page, '#survey-11-9');
  await tap(page, '#rate-1-5');
  await tap(page, '#option-2-2');
  fake.route('PUT', PUT_URL, { network: true });
  await page.instance.onSubmit();
  expect(text(page, '#form-error')).toBe('网络不给力，请稍后再试');
  const keys = fake.sent('PUT', PUT_URL).map((c) => c.header['Idempotency-Key']);
  expect(new Set(keys).size).toBe(1); // the client's own retries share it

  fake.route('PUT', PUT_URL, { status: 200, body: SENT });
  serve([child([mySurvey({ answered: true, response: SENT })])]);
  await page.instance.onSubmit();
  const all = fake.sent('PUT', PUT_URL).map((c) => c.header['Idempotency-Key']);
  expect(new Set(all).size).toBe(1);
  expect(exists(page, '#answered-banner')).toBe(true);
});

test("the server's refusals: per question on the question; already answered elsewhere shows those answers", async () => {
  serve([child([mySurvey()])]);
  const page = await openPage('survey');
  await tap(page, '#survey-11-9');
  await tap(page, '#rate-1-5');
  await tap(page, '#option-2-2');
  fake.route('PUT', PUT_URL, { status: 422, body: { error: {
    code: 'SURVEY_ANSWER_INVALID', message: '第 2 题：选项不属于这道题', errors: [{ question_id: 2, message: '选项不属于这道题' }] } } });
  await page.instance.onSubmit();
  expect(text(page, '#error-2')).toBe('选项不属于这道题');
  expect(exists(page, '#answered-banner')).toBe(false);

  fake.wx.showModal.mockClear();
  fake.route('PUT', PUT_URL, apiError(409, 'SURVEY_ALREADY_ANSWERED', '该学生的问卷已经提交过了，每个孩子只能提交一次'));
  serve([child([mySurvey({ answered: true, response: SENT })])]);
  await page.instance.onSubmit();
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({
    title: '已经提交过了', content: '该学生的问卷已经提交过了，每个孩子只能提交一次' }));
  expect(exists(page, '#answered-banner')).toBe(true);
  expect(text(page, '#rating-label-1')).toBe('4 分 · 满意'); // the answers the other phone sent
});

test('a survey closed meanwhile: told, and back to the list without it', async () => {
  serve([child([mySurvey()])]);
  const page = await openPage('survey');
  await tap(page, '#survey-11-9');
  await tap(page, '#rate-1-3');
  await tap(page, '#option-2-1');
  fake.route('PUT', PUT_URL, apiError(409, 'SURVEY_CLOSED', '问卷已结束，不能再提交'));
  serve([child([])]);
  await page.instance.onSubmit();
  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '问卷已结束' }));
  expect(exists(page, '#form-title')).toBe(false);
  expect(text(page, '#child-11')).toContain('暂时没有需要填写的问卷');
});

test('a failed first load offers 重新加载', async () => {
  fake.route('GET', '/surveys/mine', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'));
  const page = await openPage('survey');
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  serve([child([mySurvey()])]);
  await tap(page, '#retry-btn');
  expect(exists(page, '#survey-11-9')).toBe(true);
});
