/**
 * The pickup code (接送码), made on the guardian's phone with no network (docs/pickup-code.md):
 *
 *   payload = 0x01 ‖ device_id (4 bytes, big-endian) ‖ issued_at (4 bytes, big-endian, Unix seconds)
 *   mac     = HMAC-SHA256(secret, payload)[:10]
 *   code    = "KH" + base32(payload ‖ mac)        no padding: 2 + 31 = 33 characters
 *
 * `issued_at` is the phone's clock corrected by the offset measured at registration (server_time − phone time),
 * so a phone whose clock is off still makes fresh codes. The server checks the same (app/pickup/codes.py).
 *
 * Also here: the registered device as kept in storage (device id, secret, offset), and the code as a QR code —
 * alphanumeric mode, error correction M, version 2 (25×25 modules) — drawn on a <canvas type="2d">.
 * Mini-programs have no WebCrypto: HMAC-SHA256 and the QR encoder are vendored pure-JS files (utils/vendor/).
 */
const sha256 = require('./vendor/sha256');
const qrcode = require('./vendor/qrcode');

const PREFIX = 'KH';
const CODE_VERSION = 1;
const MAC_BYTES = 10;
const CODE_LENGTH = 33;
// What the server tells at registration (and assumes): a new code at least every 30 s; refused after 60 s.
const STEP_SECONDS = 30;
const MAX_AGE_SECONDS = 60;
const QR_VERSION = 2;
const QR_LEVEL = 'M';
const QR_QUIET_MODULES = 4; // the white border a scanner needs around the code
const DEVICE_KEY = 'kehou.pickup.device';
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// ---------- bytes ----------

/** RFC 4648 base32 of a byte array, without padding. */
function base32Encode(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    buffer = ((buffer << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 base32 text (padding and case ignored) → a byte array; throws on a character outside the alphabet. */
function base32Decode(text) {
  const clean = String(text || '').toUpperCase().replace(/=+$/, '');
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i += 1) {
    const value = BASE32_ALPHABET.indexOf(clean[i]);
    if (value < 0) throw new Error(`not base32: ${clean[i]}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return bytes;
}

/** A whole number 0 … 2³²−1 as 4 bytes, big-endian. */
function u32(n) {
  const v = Math.floor(n);
  return [Math.floor(v / 0x1000000) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

// ---------- the code ----------

/** The code for `deviceId` at Unix second `issuedAt`, under the device's base32 `secret`. */
function makeCode({ deviceId, secret, issuedAt, prefix = PREFIX }) {
  const payload = [CODE_VERSION].concat(u32(deviceId), u32(issuedAt));
  const mac = sha256.hmac.array(base32Decode(secret), payload).slice(0, MAC_BYTES);
  return prefix + base32Encode(payload.concat(mac));
}

/** The phone's clock in whole Unix seconds. */
function nowSeconds(nowMs = Date.now()) {
  return Math.floor(nowMs / 1000);
}

/** server_time − phone time, in seconds, measured when the server's answer arrives. */
function clockOffset(serverTime, nowMs = Date.now()) {
  const server = Number(serverTime);
  return Number.isFinite(server) ? server - nowSeconds(nowMs) : 0;
}

/** The server's time now, as this phone reckons it: its clock corrected by the registration's offset. */
function serverSeconds(device, nowMs = Date.now()) {
  return nowSeconds(nowMs) + ((device && device.offset) || 0);
}

// ---------- the registered device, kept on the phone ----------

/**
 * POST /pickup/devices's answer as kept on the phone: {deviceId, secret, offset, stepSeconds, maxAgeSeconds, prefix}.
 * `nowMs` is when the answer arrived (for the offset).
 */
function deviceFromRegistration(reg, nowMs = Date.now()) {
  return {
    deviceId: reg.device_id,
    secret: reg.secret,
    offset: clockOffset(reg.server_time, nowMs),
    stepSeconds: reg.step_seconds || STEP_SECONDS,
    maxAgeSeconds: reg.max_age_seconds || MAX_AGE_SECONDS,
    prefix: reg.prefix || PREFIX,
  };
}

function isDevice(value) {
  return Boolean(value) && typeof value === 'object' && Number(value.deviceId) > 0
    && typeof value.secret === 'string' && value.secret.length > 0;
}

/** The device registered on this phone, or null. */
function loadDevice() {
  try {
    const stored = wx.getStorageSync(DEVICE_KEY);
    return isDevice(stored) ? stored : null;
  } catch (e) {
    return null;
  }
}

function saveDevice(device) {
  wx.setStorageSync(DEVICE_KEY, device);
  return device;
}

function forgetDevice() {
  try {
    wx.removeStorageSync(DEVICE_KEY);
  } catch (e) {
    // nothing kept, nothing to forget
  }
}

/** This device's code at `issuedAt` (default: now, in the server's time). */
function deviceCode(device, issuedAt = serverSeconds(device)) {
  return makeCode({ deviceId: device.deviceId, secret: device.secret, issuedAt, prefix: device.prefix });
}

// ---------- QR ----------

/** The code's QR modules (true = dark), version 2-M in alphanumeric mode: 25 rows of 25. */
function qrModules(code) {
  const qr = qrcode(QR_VERSION, QR_LEVEL);
  qr.addData(code, 'Alphanumeric');
  qr.make();
  const count = qr.getModuleCount();
  const rows = [];
  for (let r = 0; r < count; r += 1) {
    const row = [];
    for (let c = 0; c < count; c += 1) row.push(qr.isDark(r, c));
    rows.push(row);
  }
  return rows;
}

/**
 * Paint `modules` on a canvas 2d node `widthPx` CSS pixels wide, sharp: the canvas is sized in device pixels and
 * every module is a whole number of them, centred, with a white quiet zone around.
 */
function paintQr(canvas, modules, { widthPx, pixelRatio = 1, dark = '#000000', light = '#ffffff' }) {
  const side = Math.max(1, Math.round(widthPx * pixelRatio));
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext('2d');
  const total = modules.length + 2 * QR_QUIET_MODULES;
  const cell = Math.max(1, Math.floor(side / total));
  const origin = Math.floor((side - cell * modules.length) / 2);
  ctx.fillStyle = light;
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = dark;
  modules.forEach((row, r) => {
    row.forEach((isDark, c) => {
      if (isDark) ctx.fillRect(origin + c * cell, origin + r * cell, cell, cell);
    });
  });
}

/** Draw `code` on the page's <canvas type="2d" id=…> (`selector`); resolves true once drawn, false when no canvas. */
function drawCode(page, selector, code) {
  return new Promise((resolve) => {
    wx.createSelectorQuery().in(page).select(selector).fields({ node: true, size: true }).exec((res) => {
      const target = res && res[0];
      if (!target || !target.node) {
        resolve(false);
        return;
      }
      const info = typeof wx.getWindowInfo === 'function' ? wx.getWindowInfo() : {};
      paintQr(target.node, qrModules(code), { widthPx: target.width, pixelRatio: info.pixelRatio || 2 });
      resolve(true);
    });
  });
}

module.exports = {
  PREFIX,
  CODE_LENGTH,
  STEP_SECONDS,
  MAX_AGE_SECONDS,
  QR_VERSION,
  QR_QUIET_MODULES,
  DEVICE_KEY,
  base32Encode,
  base32Decode,
  makeCode,
  nowSeconds,
  clockOffset,
  serverSeconds,
  deviceFromRegistration,
  loadDevice,
  saveDevice,
  forgetDevice,
  deviceCode,
  qrModules,
  paintQr,
  drawCode,
};
