/**
 * 我的 → 隐私与授权 (guardian; home → 我的, and wherever consent is asked for): for each child, each scope of the
 * 儿童个人信息处理规则 (GET /privacy/consents) — 已同意 / 待确认新版本 / 已撤回 / 未同意 — with 撤回 (confirm, saying what
 * it does: a photo deleted at once, the binding ended) or 同意 (confirm, the current version). A new version of the
 * rules → 阅读并同意新版本 (pages/privacy-rules in its asking mode, the scopes agreed before ticked again).
 * 导出孩子的数据: GET /students/{id}/data-export (a .zip) by wx.downloadFile with the token, saved in the
 * mini-program's files (wx.openDocument cannot open a .zip), where it is said, and 发送到聊天 (wx.shareFileMessage,
 * from the tap) hands it on, e.g. to 文件传输助手 to open it on a computer.
 */
const privacy = require('../../services/privacy');
const pickup = require('../../services/pickup');
const { shanghaiToday } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');

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
  },

  ...RELOADING,

  load() {
    return loadPage(this, () => privacy.consents({ toast: false }).then((children) => {
      const views = (children || []).map(privacy.childView);
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        children: views,
        noChildren: views.length === 0,
        version: views.length ? views[0].version : '',
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
});
