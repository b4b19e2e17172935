/**
 * WeChat's privacy authorisation (小程序用户隐私保护指引, configured in the MP console): before a privacy API (the
 * album or camera for a photo, wx.scanCode) WeChat wants to know that the user agreed to the guide. Kehou shows its
 * own popup (components/privacy-popup) and tells WeChat the answer:
 *
 *   listen()            once (app.js onLaunch): wx.onNeedPrivacyAuthorization → the popup of the page on screen
 *   requirePrivacy()    before the privacy API, from the tap: resolves true once the user agreed (now or before),
 *                       false when they refused; true on base libraries before 2.32.3, which do not intercept
 *
 * A page that calls a privacy API puts <privacy-popup /> in its WXML; the popup registers itself while attached
 * (the last attached is the page on screen). With no popup to show, the request is refused rather than left hanging.
 * This is WeChat's agreement to its guide; the school's separate consent to the processing rules is services/privacy.js.
 */
let listeningOn = null; // the wx the listener was registered on (tests give each test a fresh wx)
let pendingResolve = null;
const popups = [];

function listen() {
  if (listeningOn === wx || typeof wx.onNeedPrivacyAuthorization !== 'function') return;
  listeningOn = wx;
  pendingResolve = null;
  wx.onNeedPrivacyAuthorization((resolve, eventInfo) => {
    const popup = popups[popups.length - 1];
    if (!popup) {
      resolve({ event: 'disagree' });
      return;
    }
    pendingResolve = resolve;
    popup.open((eventInfo && eventInfo.referrer) || '');
    // tell WeChat the popup is on screen (its own accounting of privacy popups)
    resolve({ event: 'exposureAuthorization' });
  });
}

/** The user tapped the popup's <button open-type="agreePrivacyAuthorization" id="{buttonId}">. */
function agree(buttonId) {
  const resolve = pendingResolve;
  pendingResolve = null;
  if (resolve) resolve({ buttonId, event: 'agree' });
}

/** The user tapped 不同意 (or the popup went away unanswered). */
function disagree() {
  const resolve = pendingResolve;
  pendingResolve = null;
  if (resolve) resolve({ event: 'disagree' });
}

function attach(popup) {
  if (popups.indexOf(popup) < 0) popups.push(popup);
}

function detach(popup) {
  const at = popups.indexOf(popup);
  if (at >= 0) popups.splice(at, 1);
  if (!popups.length) disagree();
}

/** Before a privacy API: true once the user agreed to the guide, false when they refused. Never rejects. */
function requirePrivacy() {
  listen();
  if (typeof wx.requirePrivacyAuthorize !== 'function') return Promise.resolve(true);
  return new Promise((resolve) => {
    wx.requirePrivacyAuthorize({ success: () => resolve(true), fail: () => resolve(false) });
  });
}

/** The guide itself (wx.openPrivacyContract), when WeChat can show it. */
function openGuide() {
  if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({ fail: () => {} });
}

const REFUSED = '需要同意《用户隐私保护指引》后才能使用此功能';

module.exports = { listen, agree, disagree, attach, detach, requirePrivacy, openGuide, REFUSED };
