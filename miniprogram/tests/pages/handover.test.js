const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const {
  TODAY, CLASS_HEAD_ME, TEACHER_ME, CLASSES, day, holiday, handoverRow, handoverServer,
} = require('../helpers/attendance-fixtures');

let fake;
let server;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.answerModal(true);
});

function serve({ profile = CLASS_HEAD_ME, classes = CLASSES, ...options } = {}) {
  fake.route('GET', '/me', { status: 200, body: profile });
  fake.route('GET', '/schools/1/classes', { status: 200, body: classes });
  server = handoverServer(fake, options);
  return server;
}

const open = (query) => openPage('handover', query);
const posts = () => fake.sent('POST', '/classes/1/handover');
const ticked = (page) => page.querySelectorAll('.pupil--ticked .pupil__name').map((n) => n.dom.textContent.trim());

test('the class head\'s class today: who stays, where they go, their leave; all ticked but those on leave', async () => {
  serve();
  const page = await open();

  expect(fake.sent('GET', '/classes/1/handover')[0].data).toEqual({ date: TODAY });
  expect(text(page, '#class-name')).toBe('一年级1班');
  expect(exists(page, '#tabs')).toBe(false);
  expect(texts(page, '#expected .pupil__name')).toEqual(['曹一', '张二', '廖三', '刘四', '吴馨']);
  expect(texts(page, '#on-leave .pupil__name')).toEqual(['陈五']);
  expect([text(page, '#pupil-1 .dest'), text(page, '#pupil-1 .dest-name')]).toEqual(['看护班', '一年级1班 · 一年级1班教室 15:40']);
  expect([text(page, '#pupil-8 .dest'), text(page, '#pupil-8 .dest-name')]).toEqual(['社团', '舞蹈 · 舞蹈房 16:20']);
  expect(text(page, '#pupil-3 .flags')).toBe('待批请假（病假）');
  expect(text(page, '#pupil-4 .flags')).toBe('提前接走 16:30');
  expect(text(page, '#pupil-5 .flags')).toBe('请假（病假）');
  expect(exists(page, '#pupil-5 .pupil__dest')).toBe(false);
  // the early pickup comes (ticked); pending and in-force leave do not
  expect(ticked(page)).toEqual(['曹一', '张二', '刘四', '吴馨']);
  expect(text(page, '#confirm-btn')).toBe('确认交接（4 人）');
  expect(exists(page, '#saved')).toBe(false);
});

test('everyone here: 确认交接 at once (no question), idempotent, then who and when', async () => {
  serve();
  const page = await open();
  await type(page, '#notes', '  吴馨 直接去舞蹈房  ');

  await tap(page, '#confirm-btn');

  expect(fake.wx.showModal).not.toHaveBeenCalled();
  expect(posts()).toHaveLength(1);
  expect(posts()[0].data).toEqual({ date: TODAY, present_ids: [1, 2, 4, 8], notes: '吴馨 直接去舞蹈房' });
  expect(posts()[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已确认交接' }));
  expect(text(page, '#saved')).toContain('已交接 4 人');
  expect(text(page, '#saved-when')).toBe('黄老师 今天 16:05 确认');
  expect(text(page, '#saved')).toContain('备注：吴馨 直接去舞蹈房');
  expect(exists(page, '#saved-missing')).toBe(false);
  expect(text(page, '#confirm-btn')).toBe('重新确认交接（4 人）');
});

test('an unticked child without leave is named before confirming, then shown missing (teachers told today)', async () => {
  serve();
  const page = await open();
  await tap(page, '#pupil-2');
  await tap(page, '#pupil-5'); // on leave but stayed: handed over
  expect(ticked(page)).toEqual(['曹一', '刘四', '吴馨', '陈五']);

  await tap(page, '#confirm-btn');

  const modal = fake.wx.showModal.mock.calls[0][0];
  expect(modal.title).toBe('1 人未到');
  expect(modal.content).toBe('张二 未到，也没有请假。确认后会立即提醒托管老师。');
  expect(posts()[0].data.present_ids).toEqual([1, 4, 8, 5]);
  expect(text(page, '#saved')).toContain('已交接 4 人，未到 1 人');
  expect(text(page, '#saved-missing')).toBe('交接时未到：张二（已提醒托管老师）');
  expect(text(page, '#pupil-2 .flags')).toBe('交接时未到');
});

test('cancelling the question sends nothing', async () => {
  serve();
  fake.answerModal(false);
  const page = await open();
  await tap(page, '#pupil-1');

  await tap(page, '#confirm-btn');

  expect(posts()).toHaveLength(0);
  expect(page.instance.data.busy).toBe(false);
});

test('a saved handover comes back ticked as saved; re-confirming replaces it', async () => {
  serve();
  server.saved = {
    present_ids: [1, 4], missing_ids: [2, 8], notes: '下雨', confirmed_by: '黄老师', confirmed_at: `${TODAY}T07:50:00Z`,
  };
  const page = await open();

  expect(ticked(page)).toEqual(['曹一', '刘四']);
  expect(text(page, '#saved-missing')).toBe('交接时未到：张二、吴馨（已提醒托管老师）');
  expect(text(page, '#saved-when')).toBe('黄老师 今天 15:50 确认');
  expect(page.instance.data.notes).toBe('下雨');

  await tap(page, '#pupil-2');
  await tap(page, '#pupil-8');
  await tap(page, '#confirm-btn');

  expect(posts()[0].data).toEqual({ date: TODAY, present_ids: [1, 2, 4, 8], notes: '下雨' });
  expect(text(page, '#saved')).toContain('已交接 4 人');
  expect(exists(page, '#saved-missing')).toBe(false);
});

test('a reload keeps the ticks and notes not confirmed yet', async () => {
  serve();
  const page = await open();
  await tap(page, '#pupil-1');
  await type(page, '#notes', '曹一 去厕所了');

  await page.instance.onPullDownRefresh();

  expect(fake.sent('GET', '/classes/1/handover')).toHaveLength(2);
  expect(ticked(page)).toEqual(['张二', '刘四', '吴馨']);
  expect(page.instance.data.notes).toBe('曹一 去厕所了');
});

test('a refusal shows the server\'s message and reloads', async () => {
  serve();
  const page = await open();
  fake.route('POST', '/classes/1/handover', {
    status: 400,
    body: { error: { code: 'HANDOVER_STUDENT_NOT_EXPECTED', message: '吴馨今天不参加托管' } },
  });

  await tap(page, '#confirm-btn');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '交接没有保存', content: '吴馨今天不参加托管' }));
  expect(fake.sent('GET', '/classes/1/handover')).toHaveLength(2);
  expect(exists(page, '#saved')).toBe(false);
});

test('a day without service shows the reason and no button', async () => {
  serve({ dayOut: holiday(TODAY, '国庆节'), rows: [] });
  const page = await open();

  expect(text(page, '#no-service')).toContain('国庆节');
  expect(exists(page, '#confirm-btn')).toBe(false);
});

test('a class head of two classes switches between them; ?class_id= opens one directly', async () => {
  serve({ classes: [CLASSES[0], { ...CLASSES[1], head_staff_id: 1 }] });
  fake.route('GET', '/classes/2/handover', {
    status: 200,
    body: { class_id: 2, class_name: '一年级2班', day: day(), rows: [handoverRow(31, '孙三')], handover: null },
  });
  let page = await open();
  expect(texts(page, '.tab')).toEqual(['一年级1班', '一年级2班']);

  page.querySelectorAll('.tab')[1].dispatchEvent('tap');
  await flush(20);
  expect(text(page, '#class-name')).toBe('一年级2班');
  expect(texts(page, '#expected .pupil__name')).toEqual(['孙三']);

  const before = fake.calls.length;
  page = await open({ class_id: '2', date: TODAY });
  expect(fake.calls.slice(before).map((c) => c.path)).toEqual(['/classes/2/handover']);
  expect(text(page, '#class-name')).toBe('一年级2班');
});

test('someone who heads no class is told so', async () => {
  serve({ profile: TEACHER_ME });
  const page = await open();

  expect(text(page, '#no-class')).toBe('您不是班主任，没有需要交接的班级');
  expect(fake.sent('GET', '/schools/1/classes')).toHaveLength(0);
});
