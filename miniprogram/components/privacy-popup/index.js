/**
 * WeChat's privacy popup, Kehou's own (utils/privacy.js): shown when WeChat asks for the user's agreement to the
 * 用户隐私保护指引 before a privacy API (a photo from the album or camera, scanning a code). 同意 is WeChat's
 * <button open-type="agreePrivacyAuthorization">, so the base library sees the tap; 不同意 refuses, and the API fails.
 *
 *   <privacy-popup id="privacy" />      in the WXML of every page that calls a privacy API
 */
const privacy = require('../../utils/privacy');

// WeChat's names of what asked (eventInfo.referrer) → what we say the user is about to do.
const WHAT = { chooseMedia: '选择照片', chooseImage: '选择照片', scanCode: '扫码', requirePrivacyAuthorize: '' };

Component({
  options: { styleIsolation: 'apply-shared' },

  data: { show: false, what: '' },

  lifetimes: {
    attached() {
      privacy.attach(this);
    },
    detached() {
      privacy.detach(this);
    },
  },

  methods: {
    /** Called by utils/privacy.js when WeChat needs the agreement. */
    open(referrer) {
      this.setData({ show: true, what: WHAT[referrer] || '' });
    },

    onAgree() {
      this.setData({ show: false });
      privacy.agree('agree-privacy-btn');
    },

    onDisagree() {
      this.setData({ show: false });
      privacy.disagree();
    },

    onOpenGuide() {
      privacy.openGuide();
    },
  },
});
