const { setUpFakeBackend } = require('./helpers/fake-wx');
const pickup = require('../services/pickup');
const { keyKeeper } = require('../utils/page');
const { child, released, GUARDIAN_ADULT, DELEGATE_ADULT } = require('./helpers/pickup-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
});

describe('requests', () => {
  test('the phone: register, list, revoke (idempotent), today', async () => {
    fake.route('POST', '/pickup/devices', { status: 201, body: {} });
    fake.route('GET', '/pickup/devices', { status: 200, body: [] });
    fake.route('DELETE', '/pickup/devices', { status: 204 });
    fake.route('GET', '/pickup/today', { status: 200, body: [] });

    await pickup.registerDevice('iPhone 15');
    await pickup.listDevices();
    await expect(pickup.revokeDevices()).resolves.toBeNull();
    await pickup.today();

    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /pickup/devices', 'GET /pickup/devices', 'DELETE /pickup/devices', 'GET /pickup/today']);
    expect(fake.calls[0].data).toEqual({ label: 'iPhone 15' });
    expect(fake.calls[0].header['Idempotency-Key']).toBeUndefined();
    expect(fake.calls[2].header['Idempotency-Key']).toBeTruthy();
  });

  test('verify is retried when no answer came (it changes nothing), without a key', async () => {
    fake.route('POST', '/pickup/verify', { network: true }, { status: 200, body: { children: [] } });
    await pickup.verify('KHX');
    expect(fake.sent('POST', '/pickup/verify')).toHaveLength(2);
    expect(fake.calls[0].header['Idempotency-Key']).toBeUndefined();
  });

  test('release: code and ids (a note only when given), the page\'s key on every retry', async () => {
    fake.route('POST', '/pickup/handoffs', { network: true }, { status: 200, body: { released: [] } });
    const keys = keyKeeper();
    const body = { code: 'KHX', studentIds: [7, 9] };
    await pickup.release(body, { idempotencyKey: keys.keyFor(body) });
    await pickup.release({ ...body, note: '奶奶代接' }, { idempotencyKey: keys.keyFor({ ...body, note: '奶奶代接' }) });

    const sent = fake.sent('POST', '/pickup/handoffs');
    expect(sent.map((c) => c.data)).toEqual([
      { code: 'KHX', student_ids: [7, 9] }, { code: 'KHX', student_ids: [7, 9] }, { code: 'KHX', student_ids: [7, 9], note: '奶奶代接' }]);
    expect(sent[0].header['Idempotency-Key']).toBe(sent[1].header['Idempotency-Key']);
    expect(sent[2].header['Idempotency-Key']).not.toBe(sent[0].header['Idempotency-Key']);
  });

  test('manual: a guardian by guardian_id, a delegate by delegate_id', async () => {
    fake.route('POST', '/pickup/handoffs/manual', { status: 200, body: {} });
    await pickup.releaseManually({ studentId: 7, adult: { kind: 'guardian', guardian_id: 21 }, note: '核对身份证' });
    await pickup.releaseManually({ studentId: 7, adult: { kind: 'delegate', delegate_id: 5 }, note: '核对身份证' });
    expect(fake.sent('POST', '/pickup/handoffs/manual').map((c) => c.data)).toEqual([
      { student_id: 7, guardian_id: 21, note: '核对身份证' }, { student_id: 7, delegate_id: 5, note: '核对身份证' }]);
  });

  test('staff lists: date and school in the query; walk-home release and 清校 name the school in the URL', async () => {
    fake.route('GET', '/pickup/late', { status: 200, body: [] });
    fake.route('GET', '/pickup/board', { status: 200, body: {} });
    fake.route('GET', '/pickup/walk-home', { status: 200, body: [] });
    fake.route('POST', '/pickup/walk-home?school_id=2', { status: 200, body: { released: [] } });
    fake.route('POST', '/pickup/clearance', { status: 200, body: {} });

    await pickup.lateChildren({ schoolId: 2, stage: 'with_guard', date: '2026-11-24' });
    await pickup.board({});
    await pickup.walkHome({ schoolId: 2 });
    await pickup.releaseWalkingHome([7], { schoolId: 2 });
    await pickup.clearSchool();

    expect(fake.calls.map((c) => [c.method, c.path, c.data])).toEqual([
      ['GET', '/pickup/late', { stage: 'with_guard', date: '2026-11-24', school_id: 2 }],
      ['GET', '/pickup/board', undefined],
      ['GET', '/pickup/walk-home', { school_id: 2 }],
      ['POST', '/pickup/walk-home?school_id=2', { student_ids: [7] }],
      ['POST', '/pickup/clearance', undefined],
    ]);
    expect(fake.calls[3].header['Idempotency-Key']).toBeTruthy();
    expect(fake.calls[4].header['Idempotency-Key']).toBeTruthy();
  });

  test('delegates: create (idempotent), list, revoke, accept, mine', async () => {
    fake.route('POST', '/pickup/delegates', { status: 201, body: {} });
    fake.route('GET', '/pickup/delegates', { status: 200, body: [] });
    fake.route('DELETE', '/pickup/delegates/5', { status: 200, body: {} });
    fake.route('POST', '/pickup/delegates/accept', { status: 200, body: {} });
    fake.route('GET', '/pickup/my-delegations', { status: 200, body: [] });

    await pickup.createDelegate({ studentId: 7, name: '张三', phone: '13900000003', relation: '姑姑', from: '2026-11-24', to: '2026-11-27' });
    await pickup.listDelegates(7);
    await pickup.revokeDelegate(5);
    await pickup.acceptDelegation('ABC', '13900000003');
    await pickup.myDelegations();

    expect(fake.calls.map((c) => [c.method, c.path, c.data])).toEqual([
      ['POST', '/pickup/delegates', { student_id: 7, name: '张三', phone: '13900000003', relation: '姑姑', from: '2026-11-24', to: '2026-11-27' }],
      ['GET', '/pickup/delegates', { student_id: 7 }],
      ['DELETE', '/pickup/delegates/5', undefined],
      ['POST', '/pickup/delegates/accept', { invite_code: 'ABC', phone: '13900000003' }],
      ['GET', '/pickup/my-delegations', undefined],
    ]);
    expect(fake.calls[0].header['Idempotency-Key']).toBeTruthy();
  });
});

describe('wording', () => {
  test('the adult: a guardian by name and relation; a delegate with who granted it', () => {
    expect(pickup.adultLine(GUARDIAN_ADULT)).toBe('李娜（母亲）');
    expect(pickup.adultLine(DELEGATE_ADULT)).toBe('临时授权：张三（姑姑），由妈妈授权');
    expect(pickup.adultLine({ ...DELEGATE_ADULT, authorised_by: null })).toBe('临时授权：张三（姑姑）');
    expect(pickup.adultLine({ kind: 'guardian', name: '李娜', relation: '' })).toBe('李娜');
    expect(pickup.delegationDetail(DELEGATE_ADULT)).toBe('授权人：妈妈（李娜） · 有效期至 11月27日');
    expect(pickup.delegationDetail(GUARDIAN_ADULT)).toBe('');
  });

  test('what a release says to the teacher', () => {
    expect(pickup.handedText(released())).toBe('已交给 李娜（母亲） 17:23');
    expect(pickup.handedText(released({ method: 'walk_home', released_time: '17:31' }))).toBe('17:31 自行回家');
  });

  test('a child card: photo link or first character, where, status tone, the release or the reason, late', () => {
    expect(pickup.childCard(child())).toEqual(expect.objectContaining({
      id: 7, name: '张小明', className: '三年级2班', photo: 'http://api.test/api/v1/students/7/photo/a.jpg?sig=x',
      initial: '张', where: '三年级看护1班 · 17:20 放学', statusLabel: '可以接走', tone: 'ok', ready: true, detail: '', lateLabel: '',
    }));
    expect(pickup.childCard(child({ status: 'released', released: released() }))).toEqual(expect.objectContaining({
      tone: 'done', ready: false, detail: '已由 妈妈（李娜） 17:23 接走，王老师确认',
    }));
    expect(pickup.childCard(child({ status: 'not_authorised', reason: '临时授权已被家长撤销' }))).toEqual(expect.objectContaining({
      tone: 'danger', detail: '临时授权已被家长撤销',
    }));
    expect(pickup.childCard(child({ late: 'with_guard', photo_url: null })).lateLabel).toBe('门卫看护中');
    expect(pickup.childCard(child({ late: 'with_guard', photo_url: null })).photo).toBe('');
  });

  test('refusals by child; the share path with a leading slash', () => {
    expect(pickup.refusalsById({ errors: [{ student_id: 7, message: 'a' }, { student_id: null, message: 'b' }] })).toEqual({ 7: 'a' });
    expect(pickup.refusalsById({})).toEqual({});
    expect(pickup.sharePath('pages/delegate-accept/index?code=X')).toBe('/pages/delegate-accept/index?code=X');
    expect(pickup.sharePath('/pages/x')).toBe('/pages/x');
  });
});
