const { fakeBackendEachTest } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { CLASS_HEAD_ME, GUARDIAN_ME, TERMS, plan, apiError } = require('../helpers/enrollment-fixtures');
const { NOW, offer } = require('../helpers/leave-fixtures');

let fake;

fakeBackendEachTest(NOW, (f) => { fake = f; });

const MINE = offer(4, '张老师', [2, 4], [
  { group_id: 1, group_name: '一年级1班', weekday: 2 }, { group_id: 1, group_name: '一年级1班', weekday: 4 },
], { note: '周三下午有教研', updated_at: '2026-03-09T02:00:00Z' });

function serve({ me = CLASS_HEAD_ME, planBody = plan({ weekdays: [1, 2, 3, 4] }), mine = MINE } = {}) {
  fake.route('GET', '/me', { status: 200, body: me });
  fake.route('GET', '/schools/1/terms', { status: 200, body: TERMS });
  fake.route('GET', '/terms/5/plan', planBody ? { status: 200, body: planBody } : apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示'));
  fake.route('GET', '/terms/5/tutor-offers/4', mine ? { status: 200, body: mine } : apiError(404, 'OFFER_NOT_FOUND', '张老师本学期尚未申请看护'));
}

const open = () => openPage('tutor-offer');

test('my offer: the plan\'s weekdays with mine chosen, my note, and where I was put', async () => {
  serve();
  const page = await open();

  expect(text(page, '#term-name')).toBe('示范小学 · 2025-2026学年第二学期');
  expect(texts(page, '.option')).toEqual(['周一', '周二', '周三', '周四']);
  expect(page.querySelector('#weekday-2').dom.className).toContain('option--on');
  expect(page.querySelector('#weekday-1').dom.className).not.toContain('option--on');
  expect(text(page, '#offer-status')).toBe('已报名：周二、周四（昨天 10:00 提交）');
  expect(page.instance.data.note).toBe('周三下午有教研');
  expect(texts(page, '#assignments .assignment')).toEqual(['周二 · 一年级1班›', '周四 · 一年级1班›']);
  expect(text(page, '#save-btn')).toBe('更新报名');
  expect(exists(page, '#withdraw-btn')).toBe(true);

  await tap(page, '#assignments .assignment');
  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/care-group/index?group_id=1&term_id=5' });
});

test('not offered yet: Monday to Friday before a plan is published; at least one day; then saved once', async () => {
  serve({ planBody: null, mine: null });
  const page = await open();

  expect(text(page, '#offer-status')).toBe('尚未报名');
  expect(texts(page, '.option')).toEqual(['周一', '周二', '周三', '周四', '周五']);
  expect(text(page, '#save-btn')).toBe('报名看护');
  expect(exists(page, '#withdraw-btn')).toBe(false);
  expect(exists(page, '#assignments')).toBe(false);

  await tap(page, '#save-btn');
  expect(text(page, '#weekdays-error')).toBe('请至少选择一天');
  expect(fake.mutations()).toHaveLength(0);

  await tap(page, '#weekday-5');
  await tap(page, '#weekday-1');
  await tap(page, '#weekday-3');
  await tap(page, '#weekday-5');
  const saved = offer(4, '张老师', [1, 3]);
  fake.route('PUT', '/terms/5/tutor-offers/4', { status: 200, body: saved });
  fake.route('GET', '/terms/5/tutor-offers/4', { status: 200, body: saved });
  page.querySelector('#save-btn').dispatchEvent('tap');
  await tap(page, '#save-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].path).toBe('/terms/5/tutor-offers/4');
  expect(fake.mutations()[0].method).toBe('PUT');
  expect(fake.mutations()[0].data).toEqual({ weekdays: [1, 3] });
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已报名' }));
  expect(text(page, '#offer-status')).toContain('已报名：周一、周三');
  expect(text(page, '#no-assignments')).toContain('暂未安排');
});

test('an update sends the note; the server\'s refusal is shown under the form', async () => {
  serve();
  const page = await open();
  await tap(page, '#weekday-1');
  await type(page, '#note-input', ' 周五要带社团 ');
  fake.route('PUT', '/terms/5/tutor-offers/4', apiError(422, 'STAFF_CANNOT_TUTOR', '张老师不是教师，不能申请看护'));
  await tap(page, '#save-btn');

  expect(fake.mutations()[0].data).toEqual({ weekdays: [1, 2, 4], note: '周五要带社团' });
  expect(text(page, '#form-error')).toBe('张老师不是教师，不能申请看护');
});

test('撤回 asks first, then withdraws (DELETE, idempotent)', async () => {
  serve();
  const page = await open();

  fake.answerModal(false);
  await tap(page, '#withdraw-btn');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  fake.route('DELETE', '/terms/5/tutor-offers/4', { status: 204 });
  fake.route('GET', '/terms/5/tutor-offers/4', apiError(404, 'OFFER_NOT_FOUND', '张老师本学期尚未申请看护'));
  await tap(page, '#withdraw-btn');

  expect(fake.mutations()).toHaveLength(1);
  expect(fake.mutations()[0].method).toBe('DELETE');
  expect(fake.mutations()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已撤回' }));
  expect(text(page, '#offer-status')).toBe('尚未报名');
  expect(exists(page, '#withdraw-btn')).toBe(false);
  // OFFER_NOT_FOUND is "no offer", never an error toast
  expect(fake.wx.showToast).toHaveBeenCalledTimes(1);
});

test('someone who is not staff is told so', async () => {
  serve({ me: GUARDIAN_ME });
  const page = await open();
  expect(text(page, '#load-error')).toContain('只有本校教师可以报名看护');
});
