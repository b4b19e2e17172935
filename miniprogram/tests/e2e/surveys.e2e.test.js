/**
 * @jest-environment jsdom
 *
 * End to end: the survey pages rendered with miniprogram-simulate, their requests going over Node's http to the
 * demo server (tests/e2e/backend.js). The demo term has one published survey for the families in care, answered by
 * most of them; the demo parent's children have not answered.
 *
 *   demo-guardian   sees the survey for the child in care (none for the older one, still under review), is
 *                   stopped by the required questions, answers, sees 已提交 and the answers; the same answers again
 *                   return the first submission, different ones are refused (once per child)
 *   demo-admin      reads the results: one more response, the figures as the API gives them, the bars; filters by the
 *                   child's class and finds the suggestion
 *   demo2-admin     (another school) finds nothing of this survey
 */
require('miniprogram-simulate');
const auth = require('../../services/auth');
const { request } = require('../../services/request');
const surveys = require('../../services/surveys');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, phoneActingAs } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(90000);

/** A tap's event for calling a page handler directly (and awaiting its real requests). */
const ev = (dataset = {}, detail = {}) => ({ currentTarget: { dataset }, detail });

describeIfBackend('satisfaction surveys against the real backend (demo-server)', () => {
  useDemoBackend('demo-guardian');
  let wxImpl;
  const ctx = {};

  function freshWx(openid) {
    wxImpl = phoneActingAs(openid);
    return wxImpl;
  }

  beforeAll(async () => {
    freshWx('demo-admin');
    const profile = await auth.me();
    ctx.school = profile.schools.find((s) => s.roles.indexOf('admin') >= 0);
    const students = await request({ url: `/schools/${ctx.school.id}/students`, data: { page_size: 5 } });
    ctx.students = students.items.map((s) => s.id);
    freshWx('demo-guardian');
    const mine = await surveys.mySurveys();
    ctx.child = mine.find((c) => c.surveys.length);
    ctx.other = mine.find((c) => c !== ctx.child);
    ctx.survey = ctx.child.surveys[0];
    freshWx('demo-admin');
    ctx.before = await surveys.results(ctx.survey.id);
  });

  test('the guardian answers once for the child in care and sees 已提交', async () => {
    freshWx('demo-guardian');
    const page = await openPage('survey');
    expect(exists(page, '#load-error')).toBe(false);
    const key = `#survey-${ctx.child.student_id}-${ctx.survey.id}`;
    expect(text(page, key)).toContain('待填写');
    // the older child's application is still under review: nothing to answer for it
    expect(text(page, `#child-${ctx.other.student_id}`)).toContain('暂时没有需要填写的问卷');

    await tap(page, key);
    expect(text(page, '#form-title')).toBe(ctx.survey.title);
    await page.instance.onSubmit();
    expect(wxImpl.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
    expect(text(page, '#error-1')).toBe('此题必答');

    const [q1, q2, q3, q4, , q6] = ctx.survey.questions;
    await tap(page, `#rate-${q1.id}-5`);
    await tap(page, `#rate-${q2.id}-4`);
    await tap(page, `#rate-${q3.id}-2`);
    await tap(page, `#option-${q4.id}-1`);
    await type(page, `#text-${q6.id}`, '希望冬天放学早一点（e2e）');
    await page.instance.onSubmit();

    const puts = wxImpl.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0].status).toBe(200);
    expect(puts[0].header['Idempotency-Key']).toBeTruthy();
    expect(wxImpl.toasts.map((t) => t.title)).toContain('已提交');
    expect(text(page, '#answered-banner')).toContain('已提交，感谢您的反馈');
    expect(text(page, `#rating-label-${q3.id}`)).toBe('2 分 · 不满意');
    await tap(page, '#back-btn');
    expect(text(page, key)).toContain('已提交');

    // the same answers again (a retry without its key): the first submission; anything else: refused
    const answers = { answers: [{ question_id: q1.id, rating: 5 }, { question_id: q2.id, rating: 4 },
      { question_id: q3.id, rating: 2 }, { question_id: q4.id, option_ids: [1] },
      { question_id: q6.id, text: '希望冬天放学早一点（e2e）' }] };
    const again = await surveys.submitAnswers(ctx.survey.id, ctx.child.student_id, answers);
    const [mine] = (await surveys.mySurveys()).filter((c) => c.student_id === ctx.child.student_id);
    expect(again).toEqual(mine.surveys[0].response);
    await expect(surveys.submitAnswers(ctx.survey.id, ctx.child.student_id, {
      answers: [...answers.answers.slice(0, 2), { question_id: q3.id, rating: 5 }, answers.answers[3]],
    }, { toast: false })).rejects.toMatchObject({ code: 'SURVEY_ALREADY_ANSWERED', status: 409 });
    // nor for another family's child of the same school
    const strangerChild = ctx.students.find((id) => id !== ctx.child.student_id && id !== ctx.other.student_id);
    await expect(surveys.submitAnswers(ctx.survey.id, strangerChild, answers, { toast: false }))
      .rejects.toMatchObject({ status: 404, code: 'STUDENT_NOT_FOUND' });
  });

  test("the admin reads the results with the guardian's answer in them, and filters by the child's class", async () => {
    freshWx('demo-admin');
    const page = await openPage('survey-results');
    expect(exists(page, '#load-error')).toBe(false);
    const api = await surveys.results(ctx.survey.id);
    expect(api.responses).toBe(ctx.before.responses + 1);
    expect(text(page, '#responses')).toBe(String(api.responses));
    expect(text(page, '#satisfied-rate')).toBe(`${api.satisfied_rate}%`);
    expect(text(page, '#response-rate')).toBe(`${api.response_rate}%`);
    const first = api.questions[0];
    expect(text(page, `#average-${first.question_id}`)).toBe(String(first.rating.average));
    const five = first.rating.distribution[4];
    expect(page.querySelector(`#bar-${first.question_id}-s5 .bar__fill`).dom.getAttribute('style'))
      .toContain(`width: ${five.share}%`);
    // the overall rate is every 4–5 answer over every rating answer
    const ratings = api.questions.filter((q) => q.rating);
    const satisfied = ratings.reduce((n, q) => n + q.rating.distribution[3].count + q.rating.distribution[4].count, 0);
    const all = ratings.reduce((n, q) => n + q.answered, 0);
    expect(api.satisfied_rate).toBe(Math.round((satisfied * 10000) / all) / 100);

    const classes = await surveys.schoolClasses(ctx.school.id);
    const mine = classes.find((c) => c.name === ctx.child.class_name);
    // the handlers, awaited: their requests go over real http
    await page.instance.onGrade(ev({ grade: mine.grade }));
    expect(exists(page, `#class-${mine.id}`)).toBe(true);
    await page.instance.onClass(ev({ class: mine.id }));
    expect(text(page, '#filter-label')).toContain(mine.name);
    expect(texts(page, '.suggestion__text')).toContain('希望冬天放学早一点（e2e）');
    const inClass = await surveys.results(ctx.survey.id, { classId: mine.id });
    expect(text(page, '#responses')).toBe(String(inClass.responses));
    expect(inClass.responses).toBeLessThan(api.responses);
  });

  test('the admin of another school finds nothing of it', async () => {
    freshWx('demo2-admin');
    await expect(request({ url: `/surveys/${ctx.survey.id}/results`, toast: false }))
      .rejects.toMatchObject({ status: 404, code: 'SURVEY_NOT_FOUND' });
  });
});
