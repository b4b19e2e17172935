/**
 * utils/pickup-code.js against the scheme (docs/pickup-code.md): the test vectors were computed with Python's own
 * hmac / hashlib / base64 (the server's way, app/pickup/codes.py) and written here; when python3 is on the machine,
 * random vectors are also checked against it live. Every QR code is decoded back with jsQR.
 */
const { execFileSync } = require('child_process');
const { setUpFakeBackend } = require('./helpers/fake-wx');
const { fakeCanvas, readCanvas, readModules, fakeSelectorQuery } = require('./helpers/qr-image');
const code = require('../utils/pickup-code');

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; // docs/pickup-code.md's example

// python3 -c: struct.pack(">BII", 1, device_id, issued_at); hmac.new(b32decode(secret), payload, sha256).digest()[:10];
// "KH" + b32encode(payload + mac).rstrip("=")
const PYTHON_VECTORS = [
  { deviceId: 12, secret: SECRET, issuedAt: 1795420800, expected: 'KHAEAAAAAMNMB7FADMB3X56SBHCK354OI' },
  { deviceId: 12, secret: SECRET, issuedAt: 1795420830, expected: 'KHAEAAAAAMNMB7FHTFMAVWICSOALUHRFA' },
  { deviceId: 1, secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', issuedAt: 0, expected: 'KHAEAAAAABAAAAAAAQC5TP34U5Q34ZJXQ' },
  { deviceId: 4294967295, secret: '77777777777777777777777777777777', issuedAt: 4294967295, expected: 'KHAH7777777777774GJK3Q3IPTIV4IQCI' },
  // secret = bytes(range(200, 220)): every byte ≥ 0x80
  { deviceId: 305419896, secret: 'ZDE4VS6MZXHM7UGR2LJ5JVOW27MNTWW3', issuedAt: 1763971234, expected: 'KHAEJDIVTYNESBBIXO6JNH3BUJQ4KHWXQ' },
];

beforeEach(() => {
  setUpFakeBackend();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the code', () => {
  test.each(PYTHON_VECTORS)('device $deviceId at $issuedAt is what Python makes', ({ deviceId, secret, issuedAt, expected }) => {
    expect(code.makeCode({ deviceId, secret, issuedAt })).toBe(expected);
  });

  test('33 characters, "KH" then base32 only (QR alphanumeric), version byte 0x01, the ids big-endian', () => {
    const made = code.makeCode({ deviceId: 12, secret: SECRET, issuedAt: 1795420800 });
    expect(made).toHaveLength(code.CODE_LENGTH);
    expect(made).toMatch(/^KH[A-Z2-7]{31}$/);
    const bytes = code.base32Decode(made.slice(2));
    expect(bytes).toHaveLength(19);
    expect(bytes.slice(0, 9)).toEqual([1, 0, 0, 0, 12, 0x6b, 0x03, 0xf2, 0x80]); // 1795420800 = 0x6B03F280
  });

  test('any altered input changes the MAC', () => {
    const base = code.makeCode({ deviceId: 12, secret: SECRET, issuedAt: 1795420800 });
    const mac = (c) => c.slice(-16);
    expect(mac(code.makeCode({ deviceId: 13, secret: SECRET, issuedAt: 1795420800 }))).not.toBe(mac(base));
    expect(mac(code.makeCode({ deviceId: 12, secret: SECRET, issuedAt: 1795420801 }))).not.toBe(mac(base));
    expect(mac(code.makeCode({ deviceId: 12, secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ', issuedAt: 1795420800 }))).not.toBe(mac(base));
  });

  test('base32 as RFC 4648 (no padding out, padding and lower case accepted in)', () => {
    const enc = (s) => code.base32Encode(Array.from(Buffer.from(s)));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc))
      .toEqual(['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI']);
    expect(code.base32Decode('mzxw6ytboi======')).toEqual(Array.from(Buffer.from('foobar')));
    expect(code.base32Decode(SECRET)).toHaveLength(20);
    expect(() => code.base32Decode('MZ1W')).toThrow();
  });

  const python = (() => {
    try {
      execFileSync('python3', ['-c', 'pass']);
      return true;
    } catch (e) {
      return false;
    }
  })();
  (python ? test : test.skip)('random devices, secrets and times agree with python3, live', () => {
    const cases = [];
    for (let i = 0; i < 40; i += 1) {
      const secretBytes = Array.from({ length: 20 }, () => Math.floor(Math.random() * 256));
      cases.push({
        deviceId: Math.floor(Math.random() * 0xffffffff) + 1,
        secret: code.base32Encode(secretBytes),
        issuedAt: Math.floor(Math.random() * 0xffffffff),
      });
    }
    const script = [
      'import base64, hashlib, hmac, json, struct, sys',
      'out = []',
      'for c in json.load(sys.stdin):',
      '    s = c["secret"]; key = base64.b32decode(s + "=" * (-len(s) % 8))',
      '    p = struct.pack(">BII", 1, c["deviceId"], c["issuedAt"])',
      '    out.append("KH" + base64.b32encode(p + hmac.new(key, p, hashlib.sha256).digest()[:10]).decode().rstrip("="))',
      'print(json.dumps(out))',
    ].join('\n');
    const fromPython = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases) }).toString());
    expect(cases.map((c) => code.makeCode(c))).toEqual(fromPython);
  });
});

describe('the phone\'s clock and the registered device', () => {
  const REGISTRATION = {
    device_id: 12, secret: SECRET, step_seconds: 30, max_age_seconds: 60, server_time: 1795420800, prefix: 'KH',
  };

  test('the offset is server_time − phone time when the answer arrived; codes use the corrected clock', () => {
    // the phone is 2 minutes and a half behind the server
    const phoneMs = (1795420800 - 150) * 1000 + 400;
    const device = code.deviceFromRegistration(REGISTRATION, phoneMs);
    expect(device).toEqual({ deviceId: 12, secret: SECRET, offset: 150, stepSeconds: 30, maxAgeSeconds: 60, prefix: 'KH' });

    // 10 s later on the phone: the server's clock says 1795420810
    expect(code.serverSeconds(device, phoneMs + 10000)).toBe(1795420810);
    jest.spyOn(Date, 'now').mockReturnValue(phoneMs + 10000);
    expect(code.deviceCode(device)).toBe(code.makeCode({ deviceId: 12, secret: SECRET, issuedAt: 1795420810 }));
  });

  test('a phone ahead of the server gets a negative offset; no server_time → 0', () => {
    expect(code.clockOffset(1000, 1090 * 1000)).toBe(-90);
    expect(code.clockOffset(undefined, 1090 * 1000)).toBe(0);
  });

  test('kept in storage, read back, forgotten; anything else in storage is no device', () => {
    expect(code.loadDevice()).toBeNull();
    const device = code.saveDevice(code.deviceFromRegistration(REGISTRATION, 1795420800 * 1000));
    expect(wx.setStorageSync).toHaveBeenCalledWith(code.DEVICE_KEY, device);
    expect(code.loadDevice()).toEqual(device);
    code.forgetDevice();
    expect(code.loadDevice()).toBeNull();
    wx.setStorageSync(code.DEVICE_KEY, { deviceId: 0, secret: '' });
    expect(code.loadDevice()).toBeNull();
    wx.setStorageSync(code.DEVICE_KEY, 'junk');
    expect(code.loadDevice()).toBeNull();
  });
});

describe('the QR code', () => {
  test.each(PYTHON_VECTORS)('$expected is QR version 2 (25×25) and reads back as itself', ({ expected }) => {
    const modules = code.qrModules(expected);
    expect(modules).toHaveLength(25);
    modules.forEach((row) => expect(row).toHaveLength(25));
    expect(readModules(modules)).toEqual({ data: expected, version: 2 });
  });

  test('painted on a canvas 2d at the screen\'s pixel ratio: sharp whole-pixel modules, a white border, readable', () => {
    const made = PYTHON_VECTORS[0].expected;
    const canvas = fakeCanvas();
    code.paintQr(canvas, code.qrModules(made), { widthPx: 250, pixelRatio: 2 });

    expect(canvas.width).toBe(500);
    expect(canvas.height).toBe(500);
    expect(readCanvas(canvas)).toEqual({ data: made, version: 2 });
    // the corners are white (the quiet zone)
    expect(Array.from(canvas.pixels.slice(0, 4))).toEqual([255, 255, 255, 255]);
  });

  test('drawCode finds the page\'s canvas node and draws the code; no node yet → false', async () => {
    const canvas = fakeCanvas();
    wx.createSelectorQuery = fakeSelectorQuery(canvas, 240);
    wx.getWindowInfo = () => ({ pixelRatio: 3 });
    const made = PYTHON_VECTORS[1].expected;

    await expect(code.drawCode({}, '#qr', made)).resolves.toBe(true);
    expect(canvas.width).toBe(720);
    expect(readCanvas(canvas)).toEqual({ data: made, version: 2 });

    wx.createSelectorQuery = fakeSelectorQuery(null);
    await expect(code.drawCode({}, '#qr', made)).resolves.toBe(false);
  });
});
