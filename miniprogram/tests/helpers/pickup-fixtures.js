/**
 * The pickup server's answers (app/pickup/schemas.py) for the pickup pages' tests, and the phone APIs those pages use
 * (screen, brightness, canvas) on the fake wx.
 */
const { fakeCanvas, fakeSelectorQuery } = require('./qr-image');

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NOW_MS = Date.UTC(2026, 10, 24, 9, 20, 0); // 2026-11-24 17:20 in Shanghai, a Tuesday
const TODAY = '2026-11-24';

/** POST /pickup/devices's answer: the server's clock `serverAheadS` seconds ahead of the phone's at `nowMs`. */
function registration({ deviceId = 12, nowMs = NOW_MS, serverAheadS = 0 } = {}) {
  return {
    device_id: deviceId, secret: SECRET, step_seconds: 30, max_age_seconds: 60,
    server_time: Math.floor(nowMs / 1000) + serverAheadS, prefix: 'KH',
  };
}

/** ReleaseOut. */
function released(overrides = {}) {
  return {
    student_id: 7, student_name: '张小明', method: 'qr', method_label: '扫码', adult_name: '李娜', relation: '母亲',
    released_at: `${TODAY}T09:23:00Z`, released_time: '17:23', released_by: '王老师', place: '三年级看护1班', note: null,
    summary: '已由 妈妈（李娜） 17:23 接走，王老师确认', ...overrides,
  };
}

/** TodayChildOut (GET /pickup/today). */
function todayChild(overrides = {}) {
  return {
    student_id: 7, name: '张小明', school_name: '示范小学', class_name: '三年级2班', via: 'guardian', status: 'ready',
    status_label: '可以接走', reason: null, place: '三年级看护1班', end_time: '17:20', late: null, released: null,
    ...overrides,
  };
}

/** ChildOut (verify, adults). */
function child(overrides = {}) {
  return {
    student_id: 7, name: '张小明', class_name: '三年级2班', grade: 3, photo_url: '/api/v1/students/7/photo/a.jpg?sig=x',
    relation: '母亲', via: 'guardian', authorised_by: null, place: '三年级看护1班', end_time: '17:20', status: 'ready',
    status_label: '可以接走', reason: null, late: null, released: null, ...overrides,
  };
}

const GUARDIAN_ADULT = { kind: 'guardian', name: '李娜', relation: '母亲', photo_url: null, authorised_by: null, valid_to: null };
const DELEGATE_ADULT = {
  kind: 'delegate', name: '张三', relation: '姑姑', photo_url: null, authorised_by: '妈妈（李娜）', valid_to: '2026-11-27',
};

/** VerifyOut. */
function verified({ adult = GUARDIAN_ADULT, children = [child()], age = 4 } = {}) {
  return { adult, children, code_age_seconds: age };
}

const TEACHER_ME = {
  account_id: 8, name: '王老师', roles: ['teacher'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['teacher'], staff_id: 4 }],
};
const GUARD_ME = {
  account_id: 10, name: '刘师傅', roles: ['guard'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['guard'], staff_id: 6 }],
};
const DUTY_ME = {
  account_id: 9, name: '赵主任', roles: ['duty_leader'], children: [],
  schools: [{ id: 1, name: '示范小学', roles: ['duty_leader'], staff_id: 5 }],
};
const GUARDIAN_ME = {
  account_id: 7, name: '李娜', roles: ['guardian'], schools: [],
  children: [{ id: 7, name: '张小明', school_id: 1, school_name: '示范小学', class_id: 3, class_name: '三年级2班', relation: '母亲' }],
};

/** The phone APIs of the pickup pages on the fake wx; resolves nothing, returns the canvas the QR is drawn on. */
function addPhoneApis(wx, { brightness = 0.4 } = {}) {
  const canvas = fakeCanvas();
  wx.setKeepScreenOn = jest.fn();
  wx.getScreenBrightness = jest.fn((options) => setTimeout(() => options.success({ value: brightness }), 0));
  wx.setScreenBrightness = jest.fn();
  wx.createSelectorQuery = fakeSelectorQuery(canvas, 310);
  wx.getWindowInfo = () => ({ pixelRatio: 2 });
  wx.getDeviceInfo = () => ({ model: 'iPhone 15' });
  wx.setNavigationBarTitle = jest.fn();
  wx.makePhoneCall = jest.fn();
  wx.scanCode = jest.fn();
  wx.showActionSheet = jest.fn();
  return canvas;
}

module.exports = {
  SECRET,
  NOW_MS,
  TODAY,
  registration,
  released,
  todayChild,
  child,
  verified,
  GUARDIAN_ADULT,
  DELEGATE_ADULT,
  TEACHER_ME,
  GUARD_ME,
  DUTY_ME,
  GUARDIAN_ME,
  addPhoneApis,
};
