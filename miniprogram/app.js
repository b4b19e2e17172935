/**
 * 课后 Kehou mini-program. Login happens lazily: the first API call (services/request.js)
 * logs in when there is no token, and again once when the server answers 401.
 * WeChat's privacy authorisation is answered by Kehou's own popup (utils/privacy.js, components/privacy-popup).
 */
const privacy = require('./utils/privacy');

App({
  globalData: {},

  onLaunch() {
    privacy.listen();
    this.checkForUpdate();
  },

  checkForUpdate() {
    if (!wx.canIUse || !wx.canIUse('getUpdateManager')) return;
    const manager = wx.getUpdateManager();
    manager.onUpdateReady(() => {
      wx.showModal({
        title: '更新提示',
        content: '新版本已经准备好，是否重启使用？',
        success: (res) => {
          if (res.confirm) manager.applyUpdate();
        },
      });
    });
  },
});
