/**
 * 我的 → 隐私与授权 (guardian; home → 我的, and wherever consent is asked for): for each child, each scope of the
 * 儿童个人信息处理规则 (GET /privacy/consents) — 已同意 / 待确认新版本 / 已撤回 / 未同意 — with 撤回 (confirm, saying what
 * it does: a photo deleted at once, the binding ended) or 同意 (confirm, the current version). A new version of the
 * rules → 阅读并同意新版本 (pages/privacy-rules in its asking mode, the scopes agreed before ticked again).
 * 导出孩子的数据: GET /students/{id}/data-export (a .zip) by wx.downloadFile with the token, saved in the
 * mini-program's files (wx.openDocument cannot open a .zip), where it is said, and 发送到聊天 (wx.shareFileMessage,
 * from the tap) hands it on, e.g. to 文件传输助手 to open it on a computer.
 *
 * 孩子的照片 (the teacher checks the child against it at the gate): the photo from GET /students/{id} (its signed
 * `photo_url`, given to the child's own guardians; 已上传 when the link expired, 无照片 when there is none).
 * 上传孩子照片 / 更换照片 → (privacy popup) wx.chooseMedia → too large refused here → POST /students/{id}/photo
 * (services/students.js, upload(): wx.uploadFile cannot PUT) → shown. Without 照片 agreed, the same button asks for
 * it first (同意, as on the scope; a new version of the rules → read and agree on its page) and then goes on to the
 * album. 删除照片 (confirm) → DELETE. A refusal is said under the child's photo.
 */
const config = require('../../config/index');
const privacy = require('../../services/privacy');
const pickup = require('../../services/pickup');
const students = require('../../services/students');
const { chooseImage, tooLarge } = require('../../utils/media');
const { shanghaiToday } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');

// PHOTO_CONSENT_REQUIRED on this page, which is where 照片 is agreed to
const PHOTO_CONSENT_TEXT = '照片没有上传：您还没有同意“照片”一项（或处理规则已更新）。请先同意，再上传孩子的照片。';

/** Where the mini-program keeps files of its own (FileSystemManager.saveFile), '' when it cannot. */
function userDataPath() {
  return (wx.env && wx.env.USER_DATA_PATH) || '';
}

/** Keep a downloaded temporary file under `fileName` in the mini-program's files → its path (the temp path if not). */
function keepFile(tempFilePath, fileName) {
  const dir = userDataPath();
  if (!dir || typeof wx.getFileSystemManager !== 'function') return Promise.resolve(tempFilePath);
  return new Promise((resolve) => {
    wx.getFileSystemManager().saveFile({
      tempFilePath,
      filePath: `${dir}/${fileName}`,
      success: (res) => resolve((res && res.savedFilePath) || `${dir}/${fileName}`),
      fail: () => resolve(tempFilePath),
    });
  });
}

Page({
  data: {
    ...NOT_LOADED,
    children: [],
    noChildren: false,
    version: '',
    busy: '',
    exporting: 0,
    exports: {},
    photoBusy: 0,
    photoErrors: {},
  },

  ...RELOADING,

  load() {
    const photoSeq = this.photoSeq;
    return loadPage(this, () => privacy.consents({ toast: false }).then((children) => {
      const views = (children || []).map(privacy.childView);
      // each child's photo; one that does not come keeps what is on screen
      return Promise.all(views.map((v) => students.get(v.id, { toast: false, retry: false })
        .then(students.photoView, () => this.photoOf(v.id)))).then((photos) => {
        // a photo uploaded or deleted here since this load began: what the page shows is newer
        const changed = this.photoSeq !== photoSeq;
        const withPhotos = views.map((v, i) => ({ ...v, ...(changed ? this.photoOf(v.id) : photos[i]) }));
        this.setData({
          loading: false,
          loaded: true,
          errorMessage: '',
          children: withPhotos,
          noChildren: withPhotos.length === 0,
          version: withPhotos.length ? withPhotos[0].version : '',
        });
      });
    }, (err) => {
      // not (or no longer) a guardian: nothing to manage, binding is the way in
      if (err.code === 'FORBIDDEN') {
        this.setData({ loading: false, loaded: true, errorMessage: '', children: [], noChildren: true });
        return;
      }
      throw err;
    }));
  },

  child(id) {
    return this.data.children.find((c) => c.id === Number(id));
  },

  onReadRules(e) {
    const schoolId = e.currentTarget.dataset.school;
    wx.navigateTo({ url: `/pages/privacy-rules/index${schoolId ? `?school_id=${schoolId}` : ''}` });
  },

  /** A new version: read it and agree again, the scopes agreed before ticked. */
  onReconsent(e) {
    const child = this.child(e.currentTarget.dataset.id);
    if (!child) return;
    const given = child.scopes.filter((s) => s.status === 'given' || s.status === 'stale').map((s) => s.scope);
    wx.navigateTo({
      url: `/pages/privacy-rules/index?ask=1&student_id=${child.id}&school_id=${child.schoolId}`
        + `&name=${encodeURIComponent(child.name)}&given=${given.join(',')}`,
    });
  },

  /** 同意 / 撤回 on one scope of one child (the tap's data-id, data-scope), one at a time: asked, done, read again. */
  actOnScope(e, ask, run) {
    const { id, scope } = e.currentTarget.dataset;
    const child = this.child(id);
    if (!child) return Promise.resolve();
    return oneAtATime(this, {
      flag: 'acting', busyKey: 'busy', id: `${id}:${scope}`, ask: () => ask(child, scope), run: () => run(child, scope),
    });
  },

  onGive(e) {
    return this.actOnScope(e, (child, scope) => confirm({
      title: `同意处理“${privacy.SCOPE_LABELS[scope]}”？`,
      content: `您同意${child.schoolName}依照《儿童个人信息处理规则》（${child.version} 版）处理${child.name}的`
        + `${privacy.SCOPE_LABELS[scope]}：${privacy.SCOPE_HINTS[scope]}。可随时撤回。`,
      confirmText: '同意',
    }), (child, scope) => privacy.giveConsent(child.id, child.version, [scope], { toast: false }).then(
      () => wx.showToast({ title: '已同意', icon: 'success' }),
      (err) => notice('没有记录', err.message),
    ));
  },

  onWithdraw(e) {
    return this.actOnScope(e, (child, scope) => confirm({
      title: `撤回“${privacy.SCOPE_LABELS[scope]}”的同意？`,
      content: privacy.WITHDRAW_WARNINGS[scope],
      confirmText: '撤回',
      confirmColor: '#d64541',
    }), (child, scope) => privacy.withdraw(child.id, [scope], { toast: false }).then(() => {
      wx.showToast({ title: scope === 'roster' ? '已解除绑定' : '已撤回', icon: 'success' });
      // the guardian's own photo may be gone with it: 接送码 should not show a link that no longer opens
      if (scope !== 'notifications') return this.refreshMyPhoto();
      return undefined;
    }, (err) => notice('没有撤回', err.message)));
  },

  refreshMyPhoto() {
    return pickup.myPhoto({ toast: false }).then(
      (out) => pickup.keepMyPhoto((out && out.photo_url) || ''),
      // no longer a guardian at all (the binding ended): nothing of theirs to show
      (err) => { if (err.code === 'FORBIDDEN') pickup.keepMyPhoto(''); },
    );
  },

  onExport(e) {
    const child = this.child(e.currentTarget.dataset.id);
    if (!child || this.data.exporting) return Promise.resolve();
    this.setData({ exporting: child.id });
    const fileName = privacy.exportFileName(child.name, shanghaiToday());
    return privacy.exportChildData(child.id, { toast: false })
      .then((out) => keepFile(out.tempFilePath, fileName))
      .then((filePath) => {
        this.setData({ [`exports.${child.id}`]: { filePath, fileName } });
        wx.showToast({ title: '已导出', icon: 'success' });
      }, (err) => notice('没有导出', err.message))
      .then(() => this.setData({ exporting: 0 }));
  },

  /** 发送到聊天: the export to a chat (文件传输助手 → a computer); WeChat allows it only from a tap. */
  onShareExport(e) {
    const saved = this.data.exports[e.currentTarget.dataset.id];
    if (!saved) return;
    if (typeof wx.shareFileMessage !== 'function') {
      notice('无法发送', '当前微信版本过低，请升级微信后再试');
      return;
    }
    wx.shareFileMessage({ filePath: saved.filePath, fileName: saved.fileName, fail: () => {} });
  },

  onBind() {
    wx.navigateTo({ url: '/pages/bind/index' });
  },

  // ---------- 孩子的照片 ----------

  /** The photo fields of a child on screen ({photo, hasPhoto}; none for a child not shown yet). */
  photoOf(id) {
    const child = this.child(id);
    return child ? { photo: child.photo, hasPhoto: child.hasPhoto } : students.photoView(null);
  },

  /** Show a child's photo as it now is, after an upload or a deletion here. */
  showPhoto(id, { photo, hasPhoto }) {
    const at = this.data.children.findIndex((c) => c.id === Number(id));
    this.photoSeq = (this.photoSeq || 0) + 1;
    if (at < 0) return;
    this.setData({ [`children[${at}].photo`]: photo, [`children[${at}].hasPhoto`]: hasPhoto });
  },

  setPhotoError(id, message) {
    this.setData({ [`photoErrors.${id}`]: message });
  },

  /** 上传孩子照片 / 更换照片: with 照片 agreed, the picture; without, agreeing first (then the picture). */
  onUploadChildPhoto(e) {
    const child = this.child(e.currentTarget.dataset.id);
    if (!child || this.photoActing) return Promise.resolve();
    this.photoActing = true;
    const done = () => { this.photoActing = false; };
    return (child.photoConsent ? this.uploadChildPhoto(child) : this.agreeToPhotos(child, e)).then(done, done);
  },

  /**
   * No 照片 consent (never given, withdrawn, or to an older version): a new version of the rules is read and agreed
   * on its page; otherwise 同意 here, as on the scope, and once it is recorded on to the picture.
   */
  agreeToPhotos(child, e) {
    if (child.needed) {
      this.onReconsent(e);
      return Promise.resolve();
    }
    return this.onGive({ currentTarget: { dataset: { id: child.id, scope: 'photo' } } }).then(() => {
      const now = this.child(child.id);
      return now && now.photoConsent ? this.uploadChildPhoto(now) : undefined;
    });
  },

  uploadChildPhoto(child) {
    return chooseImage().then((file) => {
      if (!file) return undefined;
      const refusal = tooLarge(file, config.maxPhotoBytes);
      if (refusal) {
        this.setPhotoError(child.id, refusal);
        return undefined;
      }
      this.setData({ photoBusy: child.id, [`photoErrors.${child.id}`]: '' });
      return students.uploadPhoto(child.id, file.tempFilePath, { toast: false }).then((out) => {
        this.showPhoto(child.id, { photo: students.photoView(out).photo || file.tempFilePath, hasPhoto: true });
        wx.showToast({ title: '照片已上传', icon: 'success' });
        return undefined;
      }, (err) => {
        if (err.code !== 'PHOTO_CONSENT_REQUIRED') {
          this.setPhotoError(child.id, `照片没有上传：${err.message}`);
          return undefined;
        }
        // withdrawn elsewhere, or the rules changed: read the consents again, and the button asks for it
        this.setPhotoError(child.id, PHOTO_CONSENT_TEXT);
        return this.load();
      }).then(() => this.setData({ photoBusy: 0 }));
    });
  },

  /** 删除照片 (confirm): DELETE, and the child shows 无照片. */
  onDeleteChildPhoto(e) {
    const child = this.child(e.currentTarget.dataset.id);
    if (!child || this.photoActing) return Promise.resolve();
    this.photoActing = true;
    return confirm({
      title: `删除${child.name}的照片？`,
      content: '删除后，放学时老师将只核对孩子的姓名。之后可以重新上传。',
      confirmText: '删除',
      confirmColor: '#d64541',
    }).then((ok) => {
      if (!ok) return undefined;
      this.setData({ photoBusy: child.id, [`photoErrors.${child.id}`]: '' });
      return students.deletePhoto(child.id, { toast: false }).then(() => {
        this.showPhoto(child.id, { photo: '', hasPhoto: false });
        wx.showToast({ title: '照片已删除', icon: 'success' });
      }, (err) => this.setPhotoError(child.id, `照片没有删除：${err.message}`))
        .then(() => this.setData({ photoBusy: 0 }));
    }).then(() => { this.photoActing = false; });
  },

  /** The signed link expired (about an hour): the photo is still there, shown as 已上传 until the next load. */
  onChildPhotoError(e) {
    const id = e.currentTarget.dataset.id;
    const at = this.data.children.findIndex((c) => c.id === Number(id));
    if (at >= 0) this.setData({ [`children[${at}].photo`]: '' });
  },
});
