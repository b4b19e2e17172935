/** pages/club-edit: the ClubIn form — pickers, local checks, the payload, server field errors, the cover upload. */
const { setUpFakeBackend, flush, BASE_URL } = require('../helpers/fake-wx');
const { addUpload, chooseImages } = require('../helpers/fake-upload');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { ADMIN_ME } = require('../helpers/club-fixtures');
const { plan, apiError } = require('../helpers/enrollment-fixtures');
const config = require('../../config/index');

let fake;

beforeEach(() => {
  fake = addUpload(setUpFakeBackend());
});

const STAFF = [
  { id: 56, school_id: 1, name: '王霞', phone: null, roles: ['admin'], is_active: true, username: null, wechat_bound: true },
  { id: 30, school_id: 1, name: '李娟', phone: null, roles: ['class_head', 'teacher'], is_active: true, username: null, wechat_bound: true },
  { id: 31, school_id: 1, name: '周老师', phone: null, roles: ['teacher'], is_active: false, username: null, wechat_bound: false },
  { id: 32, school_id: 1, name: '程娟', phone: null, roles: ['teacher'], is_active: true, username: null, wechat_bound: false },
];

const CLUB = {
  id: 5, term_id: 5, name: '舞蹈', category: 'art', category_label: '艺术', description: '基本功与民族舞',
  teacher_staff_id: 32, teacher_name: '程娟', venue: '舞蹈房', weekdays: [2, 4], start_time: '16:00', end_time: '17:00',
  capacity: 24, grades: [1, 2, 3, 4], min_to_open: 10, enrolled: 20, free_seats: 4, waitlisted: 3,
  cover_url: '/api/v1/clubs/5/cover/old.jpg?exp=1&sig=a', may_choose: null, reason: null, my_status: null,
};

/** The admin, the staff, club 5 and term 5's published plan (serving `weekdays`, Monday to Friday unless told). */
function routes({ weekdays = [1, 2, 3, 4, 5] } = {}) {
  fake.route('GET', '/me', { status: 200, body: ADMIN_ME });
  fake.route('GET', '/schools/1/staff', { status: 200, body: STAFF });
  fake.route('GET', '/clubs/5', { status: 200, body: CLUB });
  fake.route('GET', '/terms/5/plan', { status: 200, body: plan({ weekdays }) });
}

const showEdit = (query) => openPage('club-edit', query);

async function submit(page) {
  await page.instance.onSubmit();
  await flush();
}

test('a new club: empty form, teachers to pick from, and every required field checked before anything is sent', async () => {
  routes();
  const page = await showEdit({ term_id: '5', school_id: '1' });

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me', 'GET /schools/1/staff', 'GET /terms/5/plan']);
  expect(text(page, '#form-title')).toBe('新建社团');
  expect(text(page, '#submit-btn')).toBe('新建社团');
  expect(text(page, '#category-value')).toBe('请选择类别');
  expect(texts(page, '#weekdays-field .option')).toEqual(['周一', '周二', '周三', '周四', '周五']);
  expect(text(page, '#service-days')).toBe('本学期课后服务日：周一至周五');
  expect(texts(page, '#grades-field .option')).toEqual(['一年级', '二年级', '三年级', '四年级', '五年级', '六年级']);
  // 暂不指定, then teachers, then other staff; someone who has left is not offered
  expect(page.instance.data.teacherOptions.map((t) => t.label)).toEqual(['暂不指定', '李娟', '程娟', '王霞']);
  expect(text(page, '#teacher-value')).toBe('暂不指定');

  await submit(page);

  expect(fake.sent('POST', '/terms/5/clubs')).toHaveLength(0);
  expect(text(page, '#name-error')).toBe('请填写社团名称');
  expect(text(page, '#category-error')).toBe('请选择类别');
  expect(text(page, '#weekdays-error')).toBe('请至少选择一天');
  expect(text(page, '#start-error')).toBe('请选择开始时间');
  expect(text(page, '#end-error')).toBe('请选择结束时间');
  expect(text(page, '#capacity-error')).toBe('请填写名额');
  expect(text(page, '#grades-error')).toBe('请至少选择一个年级');
  expect(text(page, '#form-error')).toBe('请按提示修改标红的内容');
  expect(page.querySelector('#name-field').dom.className).toContain('field--error');

  // typing clears that field's error only
  await type(page, '#name-input', '陶艺');
  expect(exists(page, '#name-error')).toBe(false);
  expect(exists(page, '#category-error')).toBe(true);
});

test('the form gives the ClubIn payload: pickers, multi-selects, times checked in order, numbers checked', async () => {
  routes();
  fake.route('POST', '/terms/5/clubs', (req) => ({ status: 201, body: { ...CLUB, id: 40, ...req.data, enrolled: 0 } }));
  const page = await showEdit({ term_id: '5', school_id: '1' });

  await type(page, '#name-input', '  陶艺 ');
  await pick(page, '#category-picker', 4);
  expect(text(page, '#category-value')).toBe('劳动');
  await pick(page, '#teacher-picker', 2);
  expect(text(page, '#teacher-value')).toBe('程娟');
  await type(page, '#venue-input', '劳技教室');
  await tap(page, '#day-3');
  await tap(page, '#day-1');
  await tap(page, '#day-5');
  await tap(page, '#day-3');
  expect(page.querySelector('#day-1').dom.className).toContain('option--on');
  expect(page.querySelector('#day-3').dom.className).not.toContain('option--on');
  await pick(page, '#start-picker', '16:30');
  await pick(page, '#end-picker', '16:00');
  await tap(page, '#grade-4');
  await tap(page, '#grade-3');
  await type(page, '#capacity-input', '0');
  await type(page, '#min-input', 'x');
  await type(page, '#description-input', '捏泥巴，烧陶器');

  await submit(page);
  expect(fake.sent('POST', '/terms/5/clubs')).toHaveLength(0);
  expect(text(page, '#end-error')).toBe('结束时间须晚于开始时间');
  expect(text(page, '#capacity-error')).toBe('名额应为 1–500 的整数');
  expect(text(page, '#min-error')).toBe('开班人数应为 1–500 的整数');
  expect(exists(page, '#name-error')).toBe(false);

  await pick(page, '#end-picker', '17:10');
  await type(page, '#capacity-input', '20');
  await type(page, '#min-input', '25');
  await submit(page);
  expect(exists(page, '#end-error')).toBe(false);
  expect(exists(page, '#capacity-error')).toBe(false);
  expect(text(page, '#min-error')).toBe('开班人数不能多于名额');
  expect(fake.sent('POST', '/terms/5/clubs')).toHaveLength(0);

  await type(page, '#min-input', '8');
  await submit(page);

  const posts = fake.sent('POST', '/terms/5/clubs');
  expect(posts).toHaveLength(1);
  expect(posts[0].data).toEqual({
    name: '陶艺',
    category: 'labour',
    description: '捏泥巴，烧陶器',
    teacher_staff_id: 32,
    venue: '劳技教室',
    weekdays: [1, 5],
    start_time: '16:30',
    end_time: '17:10',
    capacity: 20,
    grades: [3, 4],
    min_to_open: 8,
  });
  expect(posts[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已新建社团', icon: 'success' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('editing: prefilled from the club; a PUT with the changes; not fewer seats than children already in', async () => {
  routes();
  fake.route('PUT', '/clubs/5', (req) => ({ status: 200, body: { ...CLUB, ...req.data } }));
  const page = await showEdit({ club_id: '5', school_id: '1' });

  expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /me', 'GET /clubs/5', 'GET /schools/1/staff', 'GET /terms/5/plan']);
  expect(text(page, '#form-title')).toBe('编辑社团');
  expect(text(page, '#club-counts')).toBe('已选上 20 人 · 候补 3 人');
  expect(page.instance.data.form.name).toBe('舞蹈');
  expect(text(page, '#category-value')).toBe('艺术');
  expect(text(page, '#teacher-value')).toBe('程娟');
  expect(text(page, '#start-value')).toBe('16:00');
  expect(text(page, '#end-value')).toBe('17:00');
  expect(page.querySelectorAll('#weekdays-field .option--on').map((n) => n.dom.textContent.trim())).toEqual(['周二', '周四']);
  expect(page.querySelectorAll('#grades-field .option--on')).toHaveLength(4);
  expect(page.instance.data.form.capacity).toBe('24');
  expect(page.instance.data.form.min_to_open).toBe('10');
  expect(page.instance.data.coverUrl).toBe('http://api.test/api/v1/clubs/5/cover/old.jpg?exp=1&sig=a');
  expect(text(page, '#submit-btn')).toBe('保存');

  await type(page, '#capacity-input', '18');
  await submit(page);
  expect(text(page, '#capacity-error')).toBe('已有 20 人选上，名额不能少于此数');
  expect(fake.sent('PUT', '/clubs/5')).toHaveLength(0);

  await type(page, '#capacity-input', '30');
  await pick(page, '#teacher-picker', 0);
  await tap(page, '#grade-1');
  await type(page, '#min-input', '');
  await submit(page);

  const puts = fake.sent('PUT', '/clubs/5');
  expect(puts).toHaveLength(1);
  expect(puts[0].data).toEqual({
    name: '舞蹈', category: 'art', description: '基本功与民族舞', teacher_staff_id: null, venue: '舞蹈房',
    weekdays: [2, 4], start_time: '16:00', end_time: '17:00', capacity: 30, grades: [2, 3, 4], min_to_open: null,
  });
  expect(puts[0].header['Idempotency-Key']).toBeTruthy();
  expect(fake.sent('POST', '/terms/5/clubs')).toHaveLength(0);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存' }));
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('the server\'s field errors show on their fields, and the page stays', async () => {
  routes();
  fake.route('PUT', '/clubs/5',
    { status: 409, body: { error: { code: 'CLUB_EXISTS', message: '本学期已有同名社团', fields: { name: '同名社团已存在' } } } },
    { status: 422, body: { error: { code: 'STAFF_NOT_FOUND', message: '指导教师须为本校教职工', fields: { teacher_staff_id: '不是本校教职工' } } } },
    { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：…', fields: { 'weekdays.0': '取值应为 1, 2, 3, 4, 5, 6 或 7 之一', venue: '长度不能超过 50 个字符' } } } },
    { status: 409, body: { error: { code: 'CAPACITY_BELOW_ENROLLED', message: '已有 23 人选上，名额不能少于此数' } } },
    { status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误：取值不正确', fields: { body: '取值不正确' } } } });
  const page = await showEdit({ club_id: '5' });

  await submit(page);
  expect(text(page, '#name-error')).toBe('同名社团已存在');
  expect(text(page, '#form-error')).toBe('请按提示修改标红的内容');

  await submit(page);
  expect(exists(page, '#name-error')).toBe(false);
  expect(text(page, '#teacher-error')).toBe('不是本校教职工');

  await submit(page);
  expect(text(page, '#weekdays-error')).toBe('取值应为 1, 2, 3, 4, 5, 6 或 7 之一');
  expect(text(page, '#venue-error')).toBe('长度不能超过 50 个字符');

  // more children took seats since the page was opened: the refusal has no fields but belongs to 名额
  await submit(page);
  expect(text(page, '#capacity-error')).toBe('已有 23 人选上，名额不能少于此数');
  expect(fake.wx.showToast).not.toHaveBeenCalled();

  // nothing to point at: the server's message above the button, and a toast
  await submit(page);
  expect(text(page, '#form-error')).toBe('输入有误：取值不正确');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '输入有误：取值不正确' }));

  expect(fake.sent('PUT', '/clubs/5')).toHaveLength(5);
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();
  expect(page.instance.data.submitting).toBe(false);
});

test('a double tap on 保存 sends one request', async () => {
  routes();
  fake.route('PUT', '/clubs/5', { status: 200, body: CLUB });
  const page = await showEdit({ club_id: '5' });

  page.querySelector('#submit-btn').dispatchEvent('tap');
  page.querySelector('#submit-btn').dispatchEvent('tap');
  await flush(10);

  expect(fake.sent('PUT', '/clubs/5')).toHaveLength(1);
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('the days offered are the plan\'s service days (the server\'s rule); a day the club keeps outside them can be unticked', async () => {
  routes({ weekdays: [1, 2, 5] });
  fake.route('PUT', '/clubs/5', (req) => ({ status: 200, body: { ...CLUB, ...req.data } }));
  const page = await showEdit({ club_id: '5' });

  // the club meets 周二 and 周四; 周四 is no service day any more
  expect(texts(page, '#weekdays-field .option')).toEqual(['周一', '周二', '周四', '周五']);
  expect(texts(page, '#weekdays-field .option--on')).toEqual(['周二', '周四']);
  expect(text(page, '#service-days')).toBe('本学期课后服务日：周一、周二、周五');

  await tap(page, '#day-4');
  await tap(page, '#day-5');
  await submit(page);
  expect(fake.sent('PUT', '/clubs/5')[0].data.weekdays).toEqual([2, 5]);
});

test('no published plan yet: any day of the week (as the server allows), at most 5 of them', async () => {
  routes();
  fake.route('GET', '/terms/5/plan', apiError(404, 'PLAN_NOT_PUBLISHED', '本学期课后服务方案尚未公示'));
  fake.route('POST', '/terms/5/clubs', (req) => ({ status: 201, body: { ...CLUB, id: 40, ...req.data, enrolled: 0 } }));
  const page = await showEdit({ term_id: '5' });

  expect(exists(page, '#load-error')).toBe(false);
  expect(texts(page, '#weekdays-field .option')).toEqual(['周一', '周二', '周三', '周四', '周五', '周六', '周日']);
  expect(text(page, '#service-days')).toBe('服务方案尚未公示，暂不限活动日');

  await type(page, '#name-input', '周末足球');
  await pick(page, '#category-picker', 1);
  for (const day of [1, 2, 3, 4, 6, 7]) await tap(page, `#day-${day}`);
  await pick(page, '#start-picker', '09:00');
  await pick(page, '#end-picker', '10:00');
  await type(page, '#capacity-input', '20');
  await tap(page, '#grade-3');
  await submit(page);
  expect(text(page, '#weekdays-error')).toBe('最多选择 5 天');
  expect(fake.sent('POST', '/terms/5/clubs')).toHaveLength(0);

  await tap(page, '#day-1');
  await submit(page);
  expect(fake.sent('POST', '/terms/5/clubs')[0].data.weekdays).toEqual([2, 3, 4, 6, 7]);
});

test('any other failure reading the plan is a failed load, and 重新加载 works', async () => {
  routes();
  fake.route('GET', '/terms/5/plan', apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试'), { status: 200, body: plan() });
  const page = await showEdit({ club_id: '5' });
  expect(text(page, '#load-error')).toContain('服务器开小差了');

  await tap(page, '#retry-btn');
  expect(exists(page, '#load-error')).toBe(false);
  expect(text(page, '#form-title')).toBe('编辑社团');
});

test('cover of a saved club: chosen → uploaded at once as `file`, the preview shows it; a failure says why', async () => {
  routes();
  fake.route('POST', '/clubs/5/cover',
    { status: 200, body: { ...CLUB, cover_url: '/api/v1/clubs/5/cover/new.png?exp=2&sig=b' } },
    { status: 415, body: { error: { code: 'PHOTO_NOT_IMAGE', message: '只能上传 JPG 或 PNG 格式的照片' } } });
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/new.png' }, { tempFilePath: 'wxfile://tmp/doc.gif' }, null,
    { tempFilePath: 'wxfile://tmp/huge.jpg', size: 3 * 1024 * 1024 });
  const page = await showEdit({ club_id: '5' });
  expect(exists(page, '#cover-preview')).toBe(true);

  await page.instance.onChooseCover();
  await flush();
  expect(fake.wx.chooseMedia).toHaveBeenCalledWith(expect.objectContaining({ count: 1, mediaType: ['image'] }));
  const upload = fake.wx.uploadFile.mock.calls[0][0];
  expect(upload).toEqual(expect.objectContaining({
    url: `${BASE_URL}/clubs/5/cover`, name: 'file', filePath: 'wxfile://tmp/new.png',
  }));
  expect(upload.header.Authorization).toBe('Bearer stored-token');
  expect(page.instance.data.coverUrl).toBe('http://api.test/api/v1/clubs/5/cover/new.png?exp=2&sig=b');
  expect(text(page, '#cover-btn')).toBe('更换封面');

  // not a picture: the server's reason, the previous cover back
  await page.instance.onChooseCover();
  await flush();
  expect(text(page, '#cover-error')).toBe('封面上传失败：只能上传 JPG 或 PNG 格式的照片');
  expect(page.instance.data.coverUrl).toBe('http://api.test/api/v1/clubs/5/cover/new.png?exp=2&sig=b');
  expect(page.instance.data.coverUploading).toBe(false);

  // cancelled: nothing happens
  await page.instance.onChooseCover();
  expect(fake.wx.uploadFile).toHaveBeenCalledTimes(2);

  // too big: refused here
  await page.instance.onChooseCover();
  expect(text(page, '#cover-error')).toBe('图片不能超过 2 MB，请换一张或裁剪后再传');
  expect(fake.wx.uploadFile).toHaveBeenCalledTimes(2);
  // saving the form does not send the picture again
  expect(fake.sent('PUT', '/clubs/5')).toHaveLength(0);
});

test('the cover limit is the one in config (the server\'s max_photo_bytes)', async () => {
  routes();
  const serverLimit = config.maxPhotoBytes;
  expect(serverLimit).toBe(2 * 1024 * 1024);
  config.maxPhotoBytes = 1.5 * 1024 * 1024;
  try {
    chooseImages(fake, { tempFilePath: 'wxfile://tmp/big.jpg', size: 1.6 * 1024 * 1024 },
      { tempFilePath: 'wxfile://tmp/ok.jpg', size: 1.4 * 1024 * 1024 });
    fake.route('POST', '/clubs/5/cover', { status: 200, body: CLUB });
    const page = await showEdit({ club_id: '5' });

    await page.instance.onChooseCover();
    expect(text(page, '#cover-error')).toBe('图片不能超过 1.5 MB，请换一张或裁剪后再传');
    expect(fake.wx.uploadFile).not.toHaveBeenCalled();

    await page.instance.onChooseCover();
    await flush();
    expect(fake.wx.uploadFile).toHaveBeenCalledTimes(1);
    expect(exists(page, '#cover-error')).toBe(false);
  } finally {
    config.maxPhotoBytes = serverLimit;
  }
});

test('cover of a new club: previewed, uploaded once the club exists; if that fails the club is not created twice', async () => {
  routes();
  let created = 0;
  fake.route('POST', '/terms/5/clubs', (req) => { created += 1; return { status: 201, body: { ...CLUB, id: 41, ...req.data, enrolled: 0, cover_url: null } }; });
  fake.route('PUT', '/clubs/41', (req) => ({ status: 200, body: { ...CLUB, id: 41, ...req.data, enrolled: 0, cover_url: null } }));
  fake.route('POST', '/clubs/41/cover',
    { network: true }, { network: true }, { network: true },
    { status: 200, body: { ...CLUB, id: 41, cover_url: '/api/v1/clubs/41/cover/c.png?exp=3&sig=c' } });
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/c.png' });
  const page = await showEdit({ term_id: '5' });

  await page.instance.onChooseCover();
  await flush();
  expect(page.instance.data.coverUrl).toBe('wxfile://tmp/c.png');
  expect(fake.wx.uploadFile).not.toHaveBeenCalled();
  expect(text(page, '#cover-field')).toContain('保存社团后自动上传');

  await type(page, '#name-input', '陶艺');
  await pick(page, '#category-picker', 4);
  await tap(page, '#day-1');
  await pick(page, '#start-picker', '16:00');
  await pick(page, '#end-picker', '17:00');
  await type(page, '#capacity-input', '20');
  await tap(page, '#grade-3');

  // created; the upload gets no answer (three tries)
  await submit(page);
  await flush(10);
  expect(created).toBe(1);
  expect(fake.wx.uploadFile).toHaveBeenCalledTimes(3);
  expect(fake.wx.uploadFile.mock.calls[0][0].url).toBe(`${BASE_URL}/clubs/41/cover`);
  expect(text(page, '#form-error')).toBe('社团已保存，封面没有传上去：可以重新选择封面，或直接返回。');
  expect(text(page, '#cover-error')).toBe('封面上传失败：网络不给力，请稍后再试');
  expect(page.instance.data.coverUrl).toBe('wxfile://tmp/c.png');
  expect(text(page, '#submit-btn')).toBe('保存');
  expect(fake.wx.navigateBack).not.toHaveBeenCalled();

  // 保存 again: an edit of the club just created, and the picture goes up
  await submit(page);
  await flush(10);
  expect(created).toBe(1);
  expect(fake.sent('PUT', '/clubs/41')).toHaveLength(1);
  expect(fake.wx.uploadFile).toHaveBeenCalledTimes(4);
  expect(page.instance.data.coverUrl).toBe('http://api.test/api/v1/clubs/41/cover/c.png?exp=3&sig=c');
  expect(fake.wx.navigateBack).toHaveBeenCalledTimes(1);
});

test('not an admin, or no term: a message instead of the form', async () => {
  fake.route('GET', '/me', { status: 200, body: { ...ADMIN_ME, schools: [{ id: 1, name: '示范小学', roles: ['teacher'] }] } });
  let page = await showEdit({ term_id: '5' });
  expect(text(page, '#load-error')).toContain('仅教导处管理员可以编辑社团');

  routes();
  page = await showEdit({});
  expect(text(page, '#load-error')).toContain('缺少学期，请从社团管理进入');
});
