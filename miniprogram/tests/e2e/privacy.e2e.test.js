/**
 * @jest-environment jsdom
 *
 * End to end: separate consent to the 儿童个人信息处理规则 with the real pages (pages/bind, pages/mine) rendered by
 * miniprogram-simulate, their requests going over Node's http to the demo server (tests/e2e/backend.js).
 *
 *   demo-admin             finds a child of 示范小学 no parent has bound yet, and a parent's phone on the roster
 *   e2e-consent-parent     (a new WeChat account) is stopped by the bind page without the 花名册 tick, binds with 花名册
 *                          and 照片 ticked (the server records both, GET /me says nothing is asked), uploads their own
 *                          pickup photo; the school uploads the child's photo (a parent agreed)
 *   …then on 我的          withdraws 照片: both photos are gone on the server, the school may no longer upload one, nor
 *                          may the parent (students.uploadPhoto → PHOTO_CONSENT_REQUIRED); agrees again: the school may;
 *                          上传孩子照片 on 我的 (wx.chooseMedia → POST /students/{id}/photo by wx.uploadFile): the server
 *                          gives the parent the photo's signed link, which opens the picture
 */
require('miniprogram-simulate');
const fs = require('fs');
const os = require('os');
const path = require('path');
const auth = require('../../services/auth');
const pickup = require('../../services/pickup');
const students = require('../../services/students');
const { request, getToken } = require('../../services/request');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, phoneActingAs, uploadFile, PNG } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(90000);

/** A tap's event for calling a page handler directly (and awaiting its real requests). */
const ev = (dataset = {}) => ({ currentTarget: { dataset }, detail: {} });

const PARENT = 'e2e-consent-parent';

describeIfBackend('separate consent against the real backend (demo-server): bind, photos, withdraw', () => {
  const backend = useDemoBackend('demo-admin');
  const ctx = {};
  let wxImpl;
  let tmpDir;

  function freshWx(openid) {
    wxImpl = phoneActingAs(openid);
    return wxImpl;
  }

  /** The school's upload of the child's photo (the console's PUT), as demo-admin → the HTTP status and body. */
  async function schoolUploadsPhoto() {
    freshWx('demo-admin');
    await auth.me();
    const answer = await new Promise((resolve, reject) => uploadFile({
      url: `${backend.origin}/api/v1/students/${ctx.student.id}/photo`, method: 'PUT', filePath: ctx.png, name: 'file',
      header: { Authorization: `Bearer ${getToken()}` }, success: resolve, fail: reject,
    }));
    return { status: answer.statusCode, body: JSON.parse(answer.data) };
  }

  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kehou-consent-'));
    ctx.png = path.join(tmpDir, 'photo.png');
    fs.writeFileSync(ctx.png, PNG);
    freshWx('demo-admin');
    const profile = await auth.me();
    const school = profile.schools.find((s) => s.roles.indexOf('admin') >= 0);
    const students = await request({ url: `/schools/${school.id}/students`, data: { page_size: 40, page: 3 } });
    for (const student of students.items) {
      const guardians = await request({ url: `/students/${student.id}/guardians` });
      if (guardians.length && !guardians.some((g) => g.wechat_bound)) {
        ctx.student = student;
        [ctx.guardian] = guardians;
        break;
      }
    }
    expect(ctx.student).toBeTruthy();
  });

  afterAll(() => {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  test('the bind page binds only with the 花名册 tick, and the server keeps what was ticked', async () => {
    freshWx(PARENT);
    const page = await openPage('bind');
    expect(text(page, '#rules-title')).toMatch(/课后儿童个人信息处理规则（\S+ 版）/);
    await type(page, '#student-no', ctx.student.student_no);
    await type(page, '#student-name', ctx.student.name);
    await type(page, '#phone', ctx.guardian.phone);
    await tap(page, '#scope-photo');
    await tap(page, '#submit-btn');
    expect(text(page, '#consent-error')).toContain('花名册与课后服务信息');
    expect(wxImpl.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/guardians/bind'))).toHaveLength(0);

    await tap(page, '#scope-roster');
    await page.instance.onSubmit();

    expect(wxImpl.toasts).toEqual([expect.objectContaining({ title: `已绑定${ctx.student.name}`, icon: 'success' })]);
    expect(wxImpl.navigateBack).toHaveBeenCalledTimes(1);
    const me = await auth.me();
    const child = me.children.find((c) => c.id === ctx.student.id);
    expect(child.consent).toEqual({ rules_version: page.instance.data.rulesVersion, needed: false, given: ['roster', 'photo'] });
  });

  test('photos with consent; withdrawn on 我的 → deleted on the server, and the school may upload none', async () => {
    freshWx(PARENT);
    const mine = await pickup.uploadMyPhoto(ctx.png);
    expect(mine.photo_url).toBeTruthy();
    const uploaded = await schoolUploadsPhoto();
    expect([uploaded.status, uploaded.body.has_photo]).toEqual([200, true]);

    freshWx(PARENT);
    const page = await openPage('mine');
    expect(texts(page, `#child-${ctx.student.id} .scope__status`)).toEqual(['已同意', '已同意', '未同意']);
    await page.instance.onWithdraw(ev({ id: ctx.student.id, scope: 'photo' }));

    expect(wxImpl.showModal.mock.calls[0][0].content).toContain('孩子的照片立即删除');
    expect(texts(page, `#child-${ctx.student.id} .scope__status`)).toEqual(['已同意', '已撤回', '未同意']);
    expect((await request({ url: `/students/${ctx.student.id}` })).has_photo).toBe(false);
    expect((await pickup.myPhoto()).photo_url).toBeNull();
    const refused = await schoolUploadsPhoto();
    expect([refused.status, refused.body.error.code]).toEqual([403, 'PHOTO_CONSENT_REQUIRED']);
    freshWx(PARENT);
    await expect(students.uploadPhoto(ctx.student.id, ctx.png, { toast: false }))
      .rejects.toMatchObject({ code: 'PHOTO_CONSENT_REQUIRED', status: 403 });

    freshWx(PARENT);
    const again = await openPage('mine');
    await again.instance.onGive(ev({ id: ctx.student.id, scope: 'photo' }));
    expect(texts(again, `#child-${ctx.student.id} .scope__status`)).toEqual(['已同意', '已同意', '未同意']);
    expect((await schoolUploadsPhoto()).status).toBe(200);
  });

  test('上传孩子照片 on 我的: POST by wx.uploadFile, and the server gives the parent the photo\'s link', async () => {
    freshWx(PARENT);
    const before = await students.get(ctx.student.id);
    wxImpl.chooseMedia = jest.fn((options) => setTimeout(() => options.success({
      tempFiles: [{ tempFilePath: ctx.png, size: PNG.length, fileType: 'image' }] }), 0));
    const page = await openPage('mine');

    await page.instance.onUploadChildPhoto(ev({ id: ctx.student.id }));

    const upload = wxImpl.uploadFile.mock.calls[0][0];
    expect([upload.url, upload.name]).toEqual([`${backend.origin}/api/v1/students/${ctx.student.id}/photo`, 'file']);
    expect(wxImpl.toasts).toContainEqual(expect.objectContaining({ title: '照片已上传' }));
    expect(exists(page, `#photo-img-${ctx.student.id}`)).toBe(true);
    const after = await students.get(ctx.student.id);
    expect(after.has_photo).toBe(true);
    expect(after.photo_url).toMatch(new RegExp(`^/api/v1/students/${ctx.student.id}/photo/`));
    // a new file: the school's photo's link no longer opens (before.photo_url was the parent's link to it)
    expect(after.photo_url.split('?')[0]).not.toBe(String(before.photo_url).split('?')[0]);
    const opened = await new Promise((resolve) => wxImpl.request({
      url: `${backend.origin}${after.photo_url}`, success: resolve, fail: resolve }));
    expect([opened.statusCode, opened.header['content-type']]).toEqual([200, 'image/png']);
  });
});
