const { setUpFakeBackend } = require('./helpers/fake-wx');
const duty = require('../services/duty');
const { addUpload } = require('./helpers/fake-upload');
const pickup = require('../services/pickup');
const {
  NOW, dutyToday, sessionPatrols, patrolOut, person, staff,
} = require('./helpers/duty-fixtures');

let fake;

beforeEach(() => {
  fake = setUpFakeBackend();
  fake.route('GET', '/duty/today', { status: 200, body: dutyToday() });
  fake.route('GET', '/duty/roster', { status: 200, body: [] });
  fake.route('PUT', '/duty/roster', { status: 200, body: {} });
  fake.route('PUT', '/duty/roster?school_id=2', { status: 200, body: {} });
  fake.route('POST', '/duty/roster/swap', { status: 200, body: {} });
  fake.route('POST', '/duty/terms/3/roster/generate', { status: 200, body: [] });
  fake.route('POST', '/duty/patrols', { network: true }, { status: 201, body: patrolOut() });
  fake.route('GET', '/duty/reports/2026-11-24', { status: 200, body: {} });
  fake.route('POST', '/duty/reports/2026-11-24/sign', { status: 200, body: {} });
  fake.route('POST', '/duty/reports/2026-11-24/corrections?school_id=2', { status: 200, body: {} });
});

describe('requests', () => {
  test('reads: today and the roster (with the school when given), the report', async () => {
    await duty.today();
    await duty.today({ schoolId: 2 });
    await duty.roster({ from: '2026-11-24', to: '2026-12-07' });
    await duty.report('2026-11-24', { schoolId: 2 });
    expect(fake.calls.map((c) => [c.path, c.data])).toEqual([
      ['/duty/today', undefined],
      ['/duty/today', { school_id: 2 }],
      ['/duty/roster', { from: '2026-11-24', to: '2026-12-07' }],
      ['/duty/reports/2026-11-24', { school_id: 2 }],
    ]);
  });

  test('the roster\'s changes: a day, a swap, a generated term — all with a key', async () => {
    await duty.setDay({ date: '2026-11-24', leaderStaffId: 5 });
    await duty.setDay({ date: '2026-11-24', leaderStaffId: 5, patrolStaffIds: [7] }, { schoolId: 2 });
    await duty.swap({ date: '2026-11-24', fromStaffId: 5, toStaffId: 8, reason: '开会' });
    await duty.generate(3);
    await duty.generate(3, { from: '2026-12-01', overwrite: true });
    expect(fake.calls.map((c) => [`${c.method} ${c.path}`, c.data])).toEqual([
      ['PUT /duty/roster', { date: '2026-11-24', leader_staff_id: 5, patrol_staff_ids: [] }],
      ['PUT /duty/roster?school_id=2', { date: '2026-11-24', leader_staff_id: 5, patrol_staff_ids: [7] }],
      ['POST /duty/roster/swap', { date: '2026-11-24', from_staff_id: 5, to_staff_id: 8, reason: '开会' }],
      ['POST /duty/terms/3/roster/generate', { overwrite: false }],
      ['POST /duty/terms/3/roster/generate', { overwrite: true, from: '2026-12-01' }],
    ]);
    fake.calls.forEach((c) => expect(c.header['Idempotency-Key']).toBeTruthy());
  });

  test('a patrol: the note only when given, the same key on the retry', async () => {
    await duty.recordPatrol({ sessionId: 12, teacherPresent: true, headcountSeen: 30, order: 'good', note: '' });
    const sent = fake.sent('POST', '/duty/patrols');
    expect(sent).toHaveLength(2);
    expect(sent[0].data).toEqual({ session_id: 12, teacher_present: true, headcount_seen: 30, order: 'good' });
    expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key']);
  });

  test('signing and corrections, idempotent', async () => {
    await duty.signReport('2026-11-24');
    await duty.correctReport('2026-11-24', '更正', { schoolId: 2 });
    expect(fake.mutations().map((c) => [c.path, c.data])).toEqual([
      ['/duty/reports/2026-11-24/sign', undefined],
      ['/duty/reports/2026-11-24/corrections?school_id=2', { text: '更正' }],
    ]);
    fake.mutations().forEach((c) => expect(c.header['Idempotency-Key']).toBeTruthy());
  });

  test('the guardian\'s own photo: a multipart POST (no key: it replaces), DELETE with one', async () => {
    addUpload(fake);
    fake.route('POST', '/pickup/my-photo', { status: 200, body: { photo_url: '/p.jpg' } });
    fake.route('DELETE', '/pickup/my-photo', { status: 204 });
    await expect(pickup.uploadMyPhoto('wxfile://a.jpg')).resolves.toEqual({ photo_url: '/p.jpg' });
    await pickup.deleteMyPhoto();
    const [up, del] = fake.mutations();
    expect(up.data.upload).toEqual(expect.objectContaining({ name: 'file', filePath: 'wxfile://a.jpg' }));
    expect(up.header['Idempotency-Key']).toBeUndefined();
    expect(del.header['Idempotency-Key']).toBeTruthy();
  });
});

describe('wording', () => {
  test('people on duty, with a swap', () => {
    expect(duty.personText(person(5, '赵主任'))).toBe('赵主任');
    expect(duty.personText(person(8, '周主任', { swapped_from: '赵主任', swap_reason: '开会' }))).toBe('周主任（原 赵主任：开会）');
    expect(duty.personText(person(8, '周主任', { swapped_from: '赵主任' }))).toBe('周主任（原 赵主任）');
    expect(duty.patrolsText([person(7, '孙老师'), person(4, '王老师')])).toBe('孙老师、王老师');
    expect(duty.patrolsText([])).toBe('');
  });

  test('the patrol order: the most due first, then the next due time, finished last', () => {
    const order = duty.patrolOrder([
      sessionPatrols(1, 'A', { patrols_done: 4, patrols_due_now: 0, next_due_at: null }),
      sessionPatrols(2, 'B', { patrols_due_now: 1, next_due_at: '16:40' }),
      sessionPatrols(3, 'C', { patrols_due_now: 0, next_due_at: '17:00' }),
      sessionPatrols(4, 'D', { patrols_due_now: 2, next_due_at: '16:40' }),
      sessionPatrols(5, 'E', { patrols_due_now: 0, next_due_at: '16:20' }),
      sessionPatrols(6, 'F', { patrols_done: 1, patrols_due_now: 0, next_due_at: null }),
    ]);
    expect(order.map((s) => s.name)).toEqual(['D', 'B', 'E', 'C', 'F', 'A']);
    expect(order.map((s) => s.next)).toEqual(['现在应巡查 2 次', '现在应巡查 1 次', '下次巡查 16:20', '下次巡查 17:00', '', '巡查已完成']);
  });

  test('a headcount that differs; a patrol as the report lists it', () => {
    expect(duty.headcountWarning(patrolOut())).toBe('');
    expect(duty.headcountWarning(patrolOut({ headcount_seen: 29, roster_present: 31, headcount_differs: true })))
      .toBe('看到 29 人，点名已到 31 人，人数不一致，请与老师核实');
    expect(duty.patrolView(patrolOut({ teacher_present: false, note: '走廊' }))).toEqual(expect.objectContaining({
      time: '16:31', teacherText: '教师不在岗', headcount: '看到 31 人 / 点名 31 人', differs: false, orderLabel: '良好', note: '走廊',
    }));
  });

  test('two weeks from today; who may lead', () => {
    expect(duty.rosterRange('2026-11-24')).toEqual({ from: '2026-11-24', to: '2026-12-07' });
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    expect(duty.rosterRange()).toEqual({ from: '2026-11-24', to: '2026-12-07' });
    jest.restoreAllMocks();
    expect(duty.canLead(staff(1, 'a', ['duty_leader']))).toBe(true);
    expect(duty.canLead(staff(1, 'a', ['admin']))).toBe(true);
    expect(duty.canLead(staff(1, 'a', ['teacher', 'guard']))).toBe(false);
  });
});
