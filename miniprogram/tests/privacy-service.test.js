const { setUpFakeBackend } = require('./helpers/fake-wx');
const { addPrivacyApis } = require('./helpers/fake-privacy');
const { childConsents, RULES } = require('./helpers/privacy-fixtures');
const privacy = require('../services/privacy');
const { download } = require('../services/request');
const { scopeChoices, toggled, missingRequired } = require('../utils/consent');
const wxPrivacy = require('../utils/privacy');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

test('a child as 我的 shows it: labels, states in Chinese, what may be done', () => {
  const view = privacy.childView(childConsents(3, '李小明', { roster: 'stale', photo: 'withdrawn', notifications: 'none' }));
  expect(view).toEqual(expect.objectContaining({ id: 3, name: '李小明', schoolName: '示范小学', needed: true }));
  expect(view.scopes.map((s) => [s.label, s.statusText, s.canWithdraw, s.canGive])).toEqual([
    ['花名册与课后服务信息', '待确认新版本', true, true], ['照片', '已撤回', false, true], ['消息通知', '未同意', false, true]]);
});

test('the export keeps a name one can read, without characters a file name cannot hold', () => {
  expect(privacy.exportFileName('李 小/明', '2026-11-23')).toBe('孩子数据-李小明-2026-11-23.zip');
});

test('the consent ticks keep the rules\' order; the required scope is checked for', () => {
  let checked = toggled(RULES.scopes, [], 'notifications');
  checked = toggled(RULES.scopes, checked, 'roster');
  expect(checked).toEqual(['roster', 'notifications']);
  expect(scopeChoices(RULES.scopes, checked).map((c) => [c.scope, c.required, c.checked])).toEqual([
    ['roster', true, true], ['photo', false, false], ['notifications', false, true]]);
  expect(missingRequired(RULES.scopes, ['photo'])).toEqual(['花名册与课后服务信息']);
  expect(missingRequired(RULES.scopes, checked)).toEqual([]);
});

test('the consent calls: rules are public; giving and withdrawing are idempotent POSTs', async () => {
  fake.route('GET', '/privacy/rules', { status: 200, body: RULES });
  fake.route('POST', '/privacy/consents', { status: 200, body: {} });
  fake.route('POST', '/privacy/consents/withdraw', { status: 200, body: {} });
  await privacy.rules({ version: '1.0', schoolId: 2 }, { auth: false });
  await privacy.giveConsent(3, '1.0', ['photo']);
  await privacy.withdraw(3, ['notifications']);

  const [rules, give, withdraw] = fake.calls;
  expect([rules.data, rules.header.Authorization]).toEqual([{ version: '1.0', school_id: 2 }, undefined]);
  expect(give.data).toEqual({ student_id: 3, version: '1.0', scopes: ['photo'] });
  expect(withdraw.data).toEqual({ student_id: 3, scopes: ['notifications'] });
  expect(give.header['Idempotency-Key'] && withdraw.header['Idempotency-Key']).toBeTruthy();
});

test('download(): the token sent; a 401 logs in again and downloads once more', async () => {
  fake.route('POST', '/auth/wechat', { status: 200, body: { access_token: 'new-token', token_type: 'bearer', expires_in: 60 } });
  const answers = [{ statusCode: 401, tempFilePath: 'wxfile://tmp/e' }, { statusCode: 200, tempFilePath: 'wxfile://tmp/x.zip' }];
  fake.wx.downloadFile = jest.fn((options) => setTimeout(() => options.success(answers.shift()), 0));

  const out = await download({ url: '/students/3/data-export' });

  expect(out).toEqual({ tempFilePath: 'wxfile://tmp/x.zip' });
  expect(fake.wx.downloadFile.mock.calls.map((c) => c[0].header.Authorization)).toEqual(['Bearer stored-token', 'Bearer new-token']);
});

describe('WeChat\'s privacy authorisation (utils/privacy.js)', () => {
  test('a base library that does not intercept privacy APIs: go ahead', async () => {
    delete fake.wx.requirePrivacyAuthorize;
    await expect(wxPrivacy.requirePrivacy()).resolves.toBe(true);
  });

  test('asked while no page can show the popup: refused, never left hanging', async () => {
    const state = addPrivacyApis(fake);
    await expect(wxPrivacy.requirePrivacy()).resolves.toBe(false);
    expect(state.resolved).toEqual([{ event: 'disagree' }]);
  });

  test('the popup on screen answers; agreeing passes its button id', async () => {
    const state = addPrivacyApis(fake);
    const popup = { open: jest.fn() };
    wxPrivacy.attach(popup);
    const asked = wxPrivacy.requirePrivacy();
    await new Promise((r) => setTimeout(r, 0));
    expect(popup.open).toHaveBeenCalledWith('requirePrivacyAuthorize');
    wxPrivacy.agree('agree-privacy-btn');
    await expect(asked).resolves.toBe(true);
    expect(state.resolved).toEqual([{ event: 'exposureAuthorization' }, { buttonId: 'agree-privacy-btn', event: 'agree' }]);
    wxPrivacy.detach(popup);
  });
});
