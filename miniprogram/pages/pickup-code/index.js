/**
 * 接送码 (guardian, and a delegate a guardian named; home → 接送码): the QR code a teacher scans at the gate, big and
 * bright, and today's status of each child this account may take.
 *
 * The code is made on the phone (utils/pickup-code.js), so once this phone is registered it works with no network
 * at all: the device id, its secret and the clock offset are kept in storage. The first time (nothing kept) the page
 * registers the phone (POST /pickup/devices), which needs the network once. A new code every 30 s (the number counts
 * down), and at once when a release of one of the children is seen: a code that released a child never releases
 * again, so the next one must be new.
 *
 * While shown: the screen stays on and at full brightness (restored on leaving); GET /pickup/today every 10 s when
 * there is a network — a failure changes nothing but a quiet line (the code keeps working). Once per showing the
 * page asks GET /pickup/devices whether this phone still counts: stopped (another phone registered, or 手机丢了 on
 * another phone) → the code is hidden and 在这台手机上重新启用 offered; not this account's at all → registered anew.
 *
 * 手机丢了 / 换了新手机 (confirm): DELETE /pickup/devices stops the codes of every phone of the account, then this
 * phone registers again.
 *
 * 我的照片 (guardians; GET /me says whether this account is one, asked once, quietly; the 照片 consent of the processing
 * rules needed, else PHOTO_CONSENT_REQUIRED and the way to 我的): 上传我的照片 → (privacy popup) wx.chooseMedia →
 * POST /pickup/my-photo (wx.uploadFile, field `file`, services/request.js `upload()`: the same token and re-login) →
 * the photo shown here; the teacher who scans the code sees it beside the name. 删除照片 (confirm) → DELETE. The server
 * has no way to read one's own photo back, so this phone keeps the last link it got (storage `kehou.myPhoto`); an
 * expired link shows 已上传 without the picture.
 */
const config = require('../../config/index');
const { me } = require('../../services/auth');
const { photoSrc } = require('../../services/attendance');
const pickup = require('../../services/pickup');
const codes = require('../../utils/pickup-code');
const { chooseImage, tooLarge } = require('../../utils/media');
const { confirm } = require('../../utils/page');

const TICK_MS = 1000;
const TODAY_POLL_MS = 10000;
const FULL_BRIGHTNESS = 1;
const QR_SELECTOR = '#qr';
// The link of the photo this phone last uploaded (services/pickup.js keeps it; 我的 forgets it on a withdrawal).
const { keptMyPhoto: keptPhoto, keepMyPhoto: keepPhoto } = pickup;

/** The phone's name for GET /pickup/devices (e.g. "iPhone 15"), '' when WeChat does not say. */
function phoneLabel() {
  try {
    const info = typeof wx.getDeviceInfo === 'function' ? wx.getDeviceInfo() : wx.getSystemInfoSync();
    return String((info && info.model) || '').slice(0, 50);
  } catch (e) {
    return '';
  }
}

/** A child of GET /pickup/today as its card shows it. */
function childView(child) {
  const card = pickup.childCard(child);
  return {
    ...card,
    meta: [child.school_name, child.class_name].filter(Boolean).join(' · '),
    statusLabel: card.lateLabel || card.statusLabel,
    tone: card.lateLabel ? 'late' : card.tone,
    detail: card.detail || card.where,
    delegate: child.via === 'delegate',
  };
}

Page({
  data: {
    // loading → ready (the code) | failed (could not register: needs the network once) | stopped (revoked)
    state: 'loading',
    errorMessage: '',
    secondsLeft: codes.STEP_SECONDS,
    progress: 100,
    children: [],
    todayLoaded: false,
    offline: false,
    busy: false,
    // 我的照片 (guardians)
    isGuardian: false,
    hasPhoto: false,
    photo: '',
    photoBusy: false,
    photoError: '',
    photoConsentNeeded: false,
  },

  onLoad() {
    this.device = null;
    this.code = '';
    this.issuedAt = 0;
    this.releasedIds = null; // the children seen released at the last GET /pickup/today (null: none asked yet)
  },

  onShow() {
    this.shown = true;
    this.brighten();
    this.device = codes.loadDevice();
    if (!this.device) return Promise.all([this.register(), this.checkGuardian()]);
    this.showCode();
    // resolves once the first answers (or failures) are in; the code is on screen before any
    return Promise.all([this.pollToday(), this.checkDevice(), this.checkGuardian()]);
  },

  onHide() {
    this.leave();
  },

  onUnload() {
    this.leave();
  },

  leave() {
    this.shown = false;
    this.stopTimers();
    this.restoreScreen();
  },

  stopTimers() {
    clearTimeout(this.tickTimer);
    clearTimeout(this.pollTimer);
    this.tickTimer = null;
    this.pollTimer = null;
  },

  // ---------- the screen ----------

  /** Keep the screen on at full brightness while the code shows; remember the brightness to give it back. */
  brighten() {
    wx.setKeepScreenOn({ keepScreenOn: true });
    if (this.savedBrightness === undefined && typeof wx.getScreenBrightness === 'function') {
      wx.getScreenBrightness({
        success: (res) => {
          this.savedBrightness = res.value;
          if (this.shown) wx.setScreenBrightness({ value: FULL_BRIGHTNESS });
        },
        fail: () => wx.setScreenBrightness({ value: FULL_BRIGHTNESS }),
      });
    } else {
      wx.setScreenBrightness({ value: FULL_BRIGHTNESS });
    }
  },

  restoreScreen() {
    wx.setKeepScreenOn({ keepScreenOn: false });
    if (this.savedBrightness !== undefined) {
      wx.setScreenBrightness({ value: this.savedBrightness });
      this.savedBrightness = undefined;
    }
  },

  // ---------- the device ----------

  /** Register this phone (revoking the account's earlier ones) and show its first code; needs the network. */
  register() {
    this.stopTimers();
    this.setData({ state: 'loading', errorMessage: '' });
    return pickup.registerDevice(phoneLabel(), { toast: false }).then(
      (registration) => {
        this.device = codes.saveDevice(codes.deviceFromRegistration(registration, Date.now()));
        this.issuedAt = 0;
        if (!this.shown) return undefined;
        this.showCode();
        return this.pollToday();
      },
      (err) => {
        this.setData({
          state: 'failed',
          errorMessage: err.code === 'NETWORK_ERROR'
            ? '第一次使用接送码需要联网，请连接网络后重试'
            : `接送码没有启用：${err.message}`,
        });
      },
    );
  },

  /** Whether this phone still counts (GET /pickup/devices); quietly nothing when offline. */
  checkDevice() {
    const device = this.device;
    return pickup.listDevices({ toast: false }).then((devices) => {
      if (!this.shown || this.device !== device) return undefined;
      const mine = (devices || []).find((d) => d.id === device.deviceId);
      if (!mine) {
        // kept from another account (or a database since reset): not this account's phone
        codes.forgetDevice();
        return this.register();
      }
      if (mine.revoked_at) {
        this.stopTimers();
        this.setData({ state: 'stopped' });
      }
      return undefined;
    }, () => {});
  },

  // ---------- the code ----------

  /** A new code now (never the same second as the last one: that one may have been used), drawn, counted down. */
  showCode() {
    clearTimeout(this.tickTimer);
    const now = codes.serverSeconds(this.device);
    this.issuedAt = Math.max(now, this.issuedAt + 1);
    this.code = codes.deviceCode(this.device, this.issuedAt);
    const code = this.code;
    this.setData({ state: 'ready', ...this.countdown() }, () => {
      if (this.code === code) codes.drawCode(this, QR_SELECTOR, code);
    });
    this.tickTimer = setTimeout(() => this.tick(), TICK_MS);
  },

  countdown() {
    const step = this.device.stepSeconds || codes.STEP_SECONDS;
    const left = Math.max(0, step - (codes.serverSeconds(this.device) - this.issuedAt));
    return { secondsLeft: left, progress: Math.round((left / step) * 100) };
  },

  tick() {
    this.tickTimer = null;
    if (!this.shown || this.data.state !== 'ready') return;
    const next = this.countdown();
    if (next.secondsLeft <= 0) {
      this.showCode();
      return;
    }
    this.setData(next);
    this.tickTimer = setTimeout(() => this.tick(), TICK_MS);
  },

  // ---------- today ----------

  /** GET /pickup/today now and every 10 s while shown; a release not seen before makes a new code at once. */
  pollToday() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.pollSeq = (this.pollSeq || 0) + 1;
    const seq = this.pollSeq;
    const current = () => this.shown && seq === this.pollSeq; // only the latest poll goes on
    return pickup.today({ toast: false, retry: false }).then(
      (children) => {
        if (!current()) return;
        const released = (children || []).filter((c) => c.status === 'released').map((c) => c.student_id);
        const seenBefore = this.releasedIds;
        this.releasedIds = released;
        this.setData({ children: (children || []).map(childView), todayLoaded: true, offline: false });
        if (seenBefore && released.some((id) => seenBefore.indexOf(id) < 0) && this.data.state === 'ready') {
          wx.showToast({ title: '已交接，接送码已更新', icon: 'none' });
          this.showCode();
        }
      },
      () => {
        if (current()) this.setData({ offline: true });
      },
    ).then(() => {
      if (current()) this.pollTimer = setTimeout(() => this.pollToday(), TODAY_POLL_MS);
    });
  },

  // ---------- actions ----------

  /** 手机丢了 / 换了新手机: stop every phone's codes, then this phone registers again. */
  onLostPhone() {
    if (this.data.busy) return Promise.resolve();
    this.setData({ busy: true });
    return confirm({
      title: '停用其他手机上的接送码？',
      content: '手机丢了或换了新手机时使用：您所有手机上的接送码会立即失效，然后在这台手机上重新启用。',
      confirmText: '立即停用',
      confirmColor: '#d64541',
    }).then((ok) => {
      if (!ok) return undefined;
      return pickup.revokeDevices({ toast: false }).then(() => {
        codes.forgetDevice();
        this.device = null;
        return this.register().then(() => {
          if (this.data.state === 'ready') wx.showToast({ title: '旧手机的接送码已停用', icon: 'none' });
        });
      }, (err) => {
        wx.showToast({ title: `没有停用：${err.message}`, icon: 'none', duration: 3000 });
      });
    }).then(() => this.setData({ busy: false }));
  },

  /** This phone was stopped: use it again (the other phone's codes stop). */
  onReactivate() {
    if (this.data.busy) return Promise.resolve();
    this.setData({ busy: true });
    return this.register().then(() => this.setData({ busy: false }));
  },

  onRetry() {
    return this.register();
  },

  // ---------- 我的照片 ----------

  /** Whether this account is a guardian (only guardians have a photo here); once, quietly (offline: not shown). */
  checkGuardian() {
    if (this.guardianChecked) return Promise.resolve();
    return me({ toast: false, retry: false }).then((profile) => {
      this.guardianChecked = true;
      const isGuardian = ((profile && profile.roles) || []).indexOf('guardian') >= 0;
      const kept = isGuardian ? keptPhoto() : '';
      this.setData({ isGuardian, hasPhoto: Boolean(kept), photo: photoSrc(kept) });
    }, () => {});
  },

  onUploadPhoto() {
    if (this.data.photoBusy) return Promise.resolve();
    return chooseImage().then((file) => {
      if (!file) return undefined;
      const refusal = tooLarge(file, config.maxPhotoBytes);
      if (refusal) {
        this.setData({ photoError: refusal });
        return undefined;
      }
      this.setData({ photoBusy: true, photoError: '', photoConsentNeeded: false });
      return pickup.uploadMyPhoto(file.tempFilePath, { toast: false }).then((out) => {
        keepPhoto(out && out.photo_url);
        this.setData({ hasPhoto: true, photo: photoSrc(out && out.photo_url) || file.tempFilePath });
        wx.showToast({ title: '照片已上传', icon: 'success' });
      }, (err) => {
        // no (current) photo consent: 我的 → 隐私与授权 is where it is given
        this.setData({ photoError: `照片没有上传：${err.message}`, photoConsentNeeded: err.code === 'PHOTO_CONSENT_REQUIRED' });
      }).then(() => this.setData({ photoBusy: false }));
    });
  },

  onDeletePhoto() {
    if (this.data.photoBusy) return Promise.resolve();
    return confirm({
      title: '删除我的照片？',
      content: '删除后，老师扫码时将看不到您的照片，只能核对姓名。',
      confirmText: '删除',
      confirmColor: '#d64541',
    }).then((ok) => {
      if (!ok) return undefined;
      this.setData({ photoBusy: true, photoError: '' });
      return pickup.deleteMyPhoto({ toast: false }).then(() => {
        keepPhoto('');
        this.setData({ hasPhoto: false, photo: '' });
        wx.showToast({ title: '照片已删除', icon: 'success' });
      }, (err) => {
        this.setData({ photoError: `照片没有删除：${err.message}` });
      }).then(() => this.setData({ photoBusy: false }));
    });
  },

  onGoConsent() {
    wx.navigateTo({ url: '/pages/mine/index' });
  },

  /** The kept link expired (an hour): the photo is still on the server, just not shown here. */
  onPhotoError() {
    this.setData({ photo: '' });
  },
});
