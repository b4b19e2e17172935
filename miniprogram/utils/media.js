/**
 * A picture from the phone, shared by the pages that upload one (a club's cover, the guardian's own photo):
 * wx.chooseMedia for one image, after WeChat's privacy authorisation (utils/privacy.js: the page has a
 * <privacy-popup />), and the size limit said in words.
 */
const { requirePrivacy, REFUSED } = require('./privacy');

/**
 * wx.chooseMedia for one compressed image from the album or the camera → its tempFiles[0], or null when cancelled or
 * when the user did not agree to the privacy guide (said in a toast).
 */
function chooseImage() {
  return requirePrivacy().then((agreed) => {
    if (agreed) return pickImage();
    wx.showToast({ title: REFUSED, icon: 'none', duration: 2500 });
    return null;
  });
}

function pickImage() {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: (res) => resolve((res && res.tempFiles && res.tempFiles[0]) || null),
      // cancelled (or no permission): nothing to do
      fail: () => resolve(null),
    });
  });
}

/** 2097152 → '2 MB', 512000 → '500 KB'. */
function sizeText(bytes) {
  const mb = bytes / 1024 / 1024;
  if (mb >= 1) return `${Math.round(mb * 10) / 10} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

/** The refusal of a picture over `maxBytes` before uploading it, '' when it fits. */
function tooLarge(file, maxBytes) {
  return file && file.size && file.size > maxBytes ? `图片不能超过 ${sizeText(maxBytes)}，请换一张或裁剪后再传` : '';
}

module.exports = { chooseImage, sizeText, tooLarge };
