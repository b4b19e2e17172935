const fs = require('fs');
const path = require('path');
const { fakeBackendEachTest } = require('../helpers/fake-wx');
const { openPage, tap, type, pick, text, texts, exists, ROOT } = require('../helpers/render-page');
const { NOW_MS, TODAY, GUARDIAN_ME } = require('../helpers/pickup-fixtures');

let fake;
fakeBackendEachTest(NOW_MS, (f) => { fake = f; });

/** DelegateOut. */
function delegate(overrides = {}) {
  return {
    id: 5, student_id: 7, student_name: '张小明', school_name: '示范小学', name: '张三', phone: '13900000003',
    relation: '姑姑', from: TODAY, to: '2026-11-27', granted_by: '妈妈（李娜）', status: 'accepted', status_label: '已生效',
    invite_code: null, invite_path: null, ...overrides,
  };
}

function routes(list = [delegate(), delegate({ id: 4, name: '王五', relation: '邻居', from: '2026-11-01', to: '2026-11-02', status: 'expired', status_label: '已过期' })]) {
  fake.route('GET', '/me', { status: 200, body: GUARDIAN_ME });
  fake.route('GET', '/pickup/delegates', typeof list === 'function' ? list : { status: 200, body: list });
}

const open = () => openPage('pickup-delegates', { student_id: '7' });

test('the child\'s delegates: who, dates, phone, who granted it, status; 撤销 only while waiting or in force', async () => {
  routes();
  const page = await open();

  expect(fake.sent('GET', '/pickup/delegates')[0].data).toEqual({ student_id: 7 });
  expect(text(page, '#child-name')).toBe('张小明');
  expect(text(page, '#delegate-5')).toContain('张三（姑姑）');
  expect(text(page, '#delegate-5')).toContain('11月24日 至 11月27日 · 13900000003');
  expect(text(page, '#delegate-5')).toContain('由妈妈（李娜）授权');
  expect(text(page, '#delegate-5')).toContain('已生效');
  expect(exists(page, '#revoke-5')).toBe(true);
  expect(text(page, '#delegate-4')).toContain('已过期');
  expect(exists(page, '#revoke-4')).toBe(false);
});

test('not my child: the error screen', async () => {
  routes();
  const page = await openPage('pickup-delegates', { student_id: '99' });
  expect(text(page, '#load-error')).toContain('未找到该孩子');
  expect(fake.sent('GET', '/pickup/delegates')).toHaveLength(0);
});

test('添加: checked locally first (name, phone, relation); sent with an Idempotency-Key; the invitation shown once, shared', async () => {
  let list = [];
  routes(() => ({ status: 200, body: list }));
  fake.route('POST', '/pickup/delegates', (req) => {
    list = [delegate({ status: 'invited', status_label: '待对方确认' })];
    return {
      status: 201,
      body: delegate({ ...req.data, id: 5, status: 'invited', status_label: '待对方确认', invite_code: 'ABCD2EFG3HIJ', invite_path: 'pages/delegate-accept/index?code=ABCD2EFG3HIJ' }),
    };
  });
  const page = await open();

  await tap(page, '#add-btn');
  await tap(page, '#submit-btn');
  expect(text(page, '#name-error')).toBe('请输入对方姓名');
  expect(text(page, '#phone-error')).toBe('请输入对方手机号');
  expect(text(page, '#relation-error')).toContain('请填写与孩子的关系');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#name', ' 张三 ');
  await type(page, '#phone', '139 0000 0003');
  await type(page, '#relation', '姑姑');
  await pick(page, '#to', '2026-11-27');
  await tap(page, '#submit-btn');

  const sent = fake.sent('POST', '/pickup/delegates');
  expect(sent).toHaveLength(1);
  expect(sent[0].data).toEqual({ student_id: 7, name: '张三', phone: '13900000003', relation: '姑姑', from: TODAY, to: '2026-11-27' });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(text(page, '#invite')).toContain('已为 张三（姑姑） 生成邀请');
  expect(text(page, '#invite-code')).toBe('ABCD2EFG3HIJ');
  // the button shares (the rendered node does not keep open-type: read the page's WXML)
  expect(fs.readFileSync(path.join(ROOT, 'pages/pickup-delegates/index.wxml'), 'utf8')).toMatch(/id="share-btn" open-type="share"/);
  expect(exists(page, '#share-btn')).toBe(true);
  expect(exists(page, '#form')).toBe(false);
  // the list read again: the new one waits for the delegate
  expect(text(page, '#delegate-5')).toContain('待对方确认');

  // 发给对方: the delegate's page with the one-time code
  expect(page.instance.onShareAppMessage({ from: 'button' })).toEqual({
    title: '请您帮忙接张小明（11月24日 至 11月27日），点开确认',
    path: '/pages/delegate-accept/index?code=ABCD2EFG3HIJ',
  });
  await tap(page, '#close-invite');
  expect(page.instance.onShareAppMessage({ from: 'menu' }).path).toBe('/pages/home/index');
});

test('dates: the end follows a start moved past it; at most 92 days; the server\'s fields on their inputs', async () => {
  routes([]);
  fake.route('POST', '/pickup/delegates', {
    status: 422, body: { error: { code: 'VALIDATION_ERROR', message: '输入有误', fields: { phone: '格式不正确' } } },
  });
  const page = await open();
  await tap(page, '#add-btn');

  await pick(page, '#from', '2026-11-30');
  expect(page.instance.data.to).toBe('2026-11-30');
  expect(page.instance.data.lastDay).toBe('2027-03-02');

  await type(page, '#name', '张三');
  await type(page, '#phone', '13900000003');
  await type(page, '#relation', '姑姑');
  await pick(page, '#to', '2027-03-05');
  await tap(page, '#submit-btn');
  expect(text(page, '#to-error')).toBe('临时授权最长 92 天');
  expect(fake.mutations()).toHaveLength(0);

  await pick(page, '#to', '2026-12-04');
  await tap(page, '#submit-btn');
  expect(text(page, '#phone-error')).toBe('格式不正确');
  expect(exists(page, '#invite')).toBe(false);
});

test('撤销: confirm first; DELETE, then the list again; cancelled: nothing', async () => {
  let status = 'accepted';
  routes(() => ({ status: 200, body: [delegate({ status, status_label: status === 'revoked' ? '已撤销' : '已生效' })] }));
  fake.route('DELETE', '/pickup/delegates/5', () => {
    status = 'revoked';
    return { status: 200, body: delegate({ status: 'revoked', status_label: '已撤销' }) };
  });
  const page = await open();

  fake.answerModal(false);
  await tap(page, '#revoke-5');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#revoke-5');
  expect(fake.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ content: '张三（姑姑） 将立即不能再接张小明。' }));
  expect(fake.sent('DELETE', '/pickup/delegates/5')).toHaveLength(1);
  expect(text(page, '#delegate-5')).toContain('已撤销');
  expect(exists(page, '#revoke-5')).toBe(false);
  expect(texts(page, '.delegate__who')).toEqual(['张三（姑姑）']);
});
