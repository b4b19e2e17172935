/**
 * 我的 → 孩子的照片: each child's photo (the signed link of GET /students/{id}), 上传孩子照片 / 更换照片 by
 * wx.uploadFile (POST /students/{id}/photo), 删除照片, and the way to agree to 照片 when it is not agreed to.
 */
const { setUpFakeBackend, flush } = require('../helpers/fake-wx');
const { addUpload, chooseImages } = require('../helpers/fake-upload');
const { addPrivacyApis } = require('../helpers/fake-privacy');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const { childConsents } = require('../helpers/privacy-fixtures');

const NOW = Date.UTC(2026, 10, 23, 8, 0);
const LINK = (id, file = 'a.png') => `/api/v1/students/${id}/photo/${file}?exp=1&sig=x`;
const ERROR = (status, code, message) => ({ status, body: { error: { code, message } } });
const OK = (body) => ({ status: 200, body });
const consentsAre = (...answers) => fake.route('GET', '/privacy/consents', ...answers.map(OK));

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  addUpload(fake);
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** GET /students/{id} as the server answers the child's guardian: has_photo and the signed link. */
function studentIs(id, name, photoUrl) {
  fake.route('GET', `/students/${id}`, OK({
    id, name, class_name: '三年级1班', has_photo: Boolean(photoUrl), photo_url: photoUrl || null }));
}

test('each child with their photo, or 无照片 and 上传孩子照片; another child\'s photo that does not load: 无照片', async () => {
  consentsAre([childConsents(3, '李小明'), childConsents(4, '李小红')]);
  studentIs(3, '李小明', LINK(3));
  const page = await openPage('mine');

  expect(page.instance.data.children[0].photo).toBe(`http://api.test${LINK(3)}`);
  expect(exists(page, '#photo-img-3')).toBe(true);
  expect(text(page, '#upload-photo-3')).toBe('更换照片');
  expect(exists(page, '#delete-photo-3')).toBe(true);
  expect(text(page, '#photo-none-4')).toBe('无照片');
  expect(text(page, '#upload-photo-4')).toBe('上传孩子照片');
  expect(exists(page, '#delete-photo-4')).toBe(false);
  expect(texts(page, '.child__name')).toEqual(['李小明', '李小红']);
});

test('上传孩子照片: the privacy guide, the album, POST /students/{id}/photo by wx.uploadFile as `file`, shown', async () => {
  consentsAre([childConsents(3, '李小明')]);
  studentIs(3, '李小明', null);
  fake.route('POST', '/students/3/photo', OK({ id: 3, has_photo: true, photo_url: LINK(3, 'new.jpg') }));
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/kid.jpg', size: 300 * 1024 });
  const privacy = addPrivacyApis(fake);
  const page = await openPage('mine');

  const pending = page.instance.onUploadChildPhoto({ currentTarget: { dataset: { id: 3 } } });
  await flush();
  expect(page.instance.selectComponent('#privacy').data.show).toBe(true);
  page.instance.selectComponent('#privacy').onAgree();
  await pending;

  expect(privacy.resolved.pop()).toEqual(expect.objectContaining({ event: 'agree' }));
  const sent = fake.sent('POST', '/students/3/photo');
  expect(sent).toHaveLength(1);
  expect(sent[0].data.upload).toEqual(expect.objectContaining({ name: 'file', filePath: 'wxfile://tmp/kid.jpg' }));
  expect(sent[0].header.Authorization).toBe('Bearer stored-token');
  expect(page.instance.data.children[0].photo).toBe(`http://api.test${LINK(3, 'new.jpg')}`);
  expect(text(page, '#upload-photo-3')).toBe('更换照片');
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '照片已上传' }));
});

test('too large: refused before uploading; a refusal of the server said under the child\'s photo', async () => {
  consentsAre([childConsents(3, '李小明')]);
  studentIs(3, '李小明', null);
  fake.route('POST', '/students/3/photo', ERROR(415, 'PHOTO_NOT_IMAGE', '请上传 JPG 或 PNG 照片'));
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/big.jpg', size: 5 * 1024 * 1024 }, { tempFilePath: 'wxfile://tmp/a.gif' });
  const page = await openPage('mine');

  await tap(page, '#upload-photo-3');
  expect(text(page, '#photo-error-3')).toBe('图片不能超过 2 MB，请换一张或裁剪后再传');
  expect(fake.sent('POST', '/students/3/photo')).toHaveLength(0);

  await tap(page, '#upload-photo-3');
  expect(text(page, '#photo-error-3')).toBe('照片没有上传：请上传 JPG 或 PNG 照片');
  expect(exists(page, '#photo-img-3')).toBe(false);
});

test('without 照片 agreed, the button asks for it first (同意, current version), then goes on to the album', async () => {
  consentsAre([childConsents(3, '李小明', { photo: 'withdrawn' })], [childConsents(3, '李小明')]);
  fake.route('POST', '/privacy/consents', OK(childConsents(3, '李小明')));
  studentIs(3, '李小明', null);
  fake.route('POST', '/students/3/photo', OK({ id: 3, has_photo: true, photo_url: LINK(3) }));
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/kid.jpg' });
  fake.answerModal(true);
  const page = await openPage('mine');
  expect(text(page, '#photo-3 .photo__hint')).toContain('上传前需先同意“照片”一项');

  await tap(page, '#upload-photo-3', 40);

  expect(fake.wx.showModal.mock.calls[0][0].title).toBe('同意处理“照片”？');
  expect(fake.sent('POST', '/privacy/consents').map((c) => c.data)).toEqual([
    { student_id: 3, version: '1.0', scopes: ['photo'] }]);
  expect(fake.sent('POST', '/students/3/photo')).toHaveLength(1);
  expect(exists(page, '#photo-img-3')).toBe(true);
});

test('declining to agree to 照片: no album, nothing uploaded', async () => {
  consentsAre([childConsents(3, '李小明', { photo: 'none' })]);
  studentIs(3, '李小明', null);
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/kid.jpg' });
  fake.answerModal(false);
  const page = await openPage('mine');

  await tap(page, '#upload-photo-3');

  expect(fake.wx.chooseMedia).not.toHaveBeenCalled();
  expect(fake.mutations()).toHaveLength(0);
});

test('a new version of the rules: the button opens the rules to read and agree, not the album', async () => {
  consentsAre([childConsents(3, '李小明', { roster: 'stale', photo: 'stale' }, { version: '2.0' })]);
  studentIs(3, '李小明', null);
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/kid.jpg' });
  const page = await openPage('mine');

  await tap(page, '#upload-photo-3');

  expect(fake.wx.navigateTo).toHaveBeenCalledWith({ url: expect.stringContaining('/pages/privacy-rules/index?ask=1&student_id=3') });
  expect(fake.wx.chooseMedia).not.toHaveBeenCalled();
});

test('PHOTO_CONSENT_REQUIRED from the server: said in Chinese here, and the consents read again', async () => {
  consentsAre([childConsents(3, '李小明')], [childConsents(3, '李小明', { photo: 'withdrawn' })]);
  studentIs(3, '李小明', null);
  fake.route('POST', '/students/3/photo', ERROR(403, 'PHOTO_CONSENT_REQUIRED', '上传照片前，请先在「我的 → 隐私与授权」中同意使用照片'));
  chooseImages(fake, { tempFilePath: 'wxfile://tmp/kid.jpg' });
  const page = await openPage('mine');

  await tap(page, '#upload-photo-3', 40);

  expect(text(page, '#photo-error-3')).toBe('照片没有上传：您还没有同意“照片”一项（或处理规则已更新）。请先同意，再上传孩子的照片。');
  expect(texts(page, '#child-3 .scope__status')).toEqual(['已同意', '已撤回', '已同意']);
  expect(page.instance.data.children[0].photoConsent).toBe(false);
});

test('删除照片 after a confirm (cancel: nothing): DELETE, and 无照片', async () => {
  consentsAre([childConsents(3, '李小明')]);
  studentIs(3, '李小明', LINK(3));
  fake.route('DELETE', '/students/3/photo', { status: 204 });
  const page = await openPage('mine');

  fake.answerModal(false);
  await tap(page, '#delete-photo-3');
  expect(fake.wx.showModal.mock.calls[0][0].title).toBe('删除李小明的照片？');
  expect(fake.sent('DELETE', '/students/3/photo')).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#delete-photo-3');
  const sent = fake.sent('DELETE', '/students/3/photo');
  expect(sent).toHaveLength(1);
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#photo-none-3')).toBe('无照片');
  expect(exists(page, '#delete-photo-3')).toBe(false);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '照片已删除' }));
});

test('an expired link shows 已上传; the next showing of the page gets a fresh one', async () => {
  consentsAre([childConsents(3, '李小明')]);
  fake.route('GET', '/students/3', OK({ id: 3, has_photo: true, photo_url: LINK(3) }),
    OK({ id: 3, has_photo: true, photo_url: LINK(3, 'b.png') }));
  const page = await openPage('mine');

  page.instance.onChildPhotoError({ currentTarget: { dataset: { id: 3 } } });
  await flush();
  expect(text(page, '#photo-kept-3')).toBe('已上传');

  await page.instance.onShow();
  expect(page.instance.data.children[0].photo).toBe(`http://api.test${LINK(3, 'b.png')}`);
  expect(exists(page, '#photo-img-3')).toBe(true);
});
