const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, type, text, texts, exists } = require('../helpers/render-page');
const {
  NOW, DUTY_ME, GUARD_ME, incidentOut, entry,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

/** A fake incident server: entries appended as the backend does (closing sets the resolution, corrections apply). */
function incidentServer({ profile = DUTY_ME, incident = incidentOut() } = {}) {
  const state = JSON.parse(JSON.stringify(incident));
  let nextId = 1;
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', `/incidents/${state.id}`, () => answerOf(JSON.parse(JSON.stringify(state))));
  fake.route('POST', `/incidents/${state.id}/entries`, (req) => {
    if (state.status === 'closed' && req.data.kind !== 'correction') {
      return { status: 409, body: { error: { code: 'INCIDENT_CLOSED', message: '此事已结案，只能补充更正' } } };
    }
    const changes = req.data.changes || {};
    state.entries.push(entry(nextId++, req.data.kind, req.data.text, { changes }));
    Object.assign(state, changes);
    if (changes.severity) state.severity_label = { low: '轻微', medium: '一般', high: '严重' }[changes.severity];
    if (req.data.kind === 'close') {
      state.status = 'closed';
      state.resolution = req.data.text;
    }
    return { status: 201, body: JSON.parse(JSON.stringify(state)) };
  });
  return state;
}

const open = () => openPage('incident', { id: '70' });

test('the report as it stands: type, severity, when, where, children, what happened and was done, who reported', async () => {
  incidentServer();
  const page = await open();

  expect(text(page, '#title')).toBe('受伤 · 轻微处理中');
  expect(text(page, '#status')).toBe('处理中');
  expect(text(page, '#reported')).toBe('王老师 报告于 11-24 16:12');
  expect(text(page, '#when')).toBe('11-24 16:10');
  expect(text(page, '#place')).toBe('操场');
  expect(text(page, '#children')).toBe('张小明（三年级2班）');
  expect(text(page, '#description')).toBe('跑步时摔倒，膝盖擦伤');
  expect(text(page, '#actions')).toBe('校医已处理，已电话告知家长');
  expect(exists(page, '#no-entries')).toBe(true);
  expect(exists(page, '#corrected')).toBe(false);
  expect(exists(page, '#follow-up-btn')).toBe(true);
  expect(exists(page, '#close-btn')).toBe(true);
});

test('跟进: the text required, sent with a key, the timeline grows', async () => {
  incidentServer();
  const page = await open();
  await tap(page, '#follow-up-btn');
  await tap(page, '#submit-entry');
  expect(text(page, '#text-error')).toBe('请写下跟进的情况');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#text-input', '已和家长通电话，明天复查');
  await tap(page, '#submit-entry');
  const sent = fake.sent('POST', '/incidents/70/entries');
  expect(sent[0].data).toEqual({ kind: 'follow_up', text: '已和家长通电话，明天复查' });
  expect(sent[0].header['Idempotency-Key']).toBeTruthy();
  expect(exists(page, '#entry-form')).toBe(false);
  expect(texts(page, '.entry__kind')).toEqual(['跟进']);
  expect(text(page, '#entry-1 .entry__text')).toBe('已和家长通电话，明天复查');
  expect(text(page, '#entry-1 .entry__meta')).toContain('赵主任');
});

test('更正: begun at the fields as they are, only what changed is sent, something must change; the timeline says what', async () => {
  incidentServer();
  const page = await open();
  await tap(page, '#correction-btn');
  expect(page.instance.data.form.place).toBe('操场');
  expect(page.querySelector('#severity-low').dom.className).toContain('choice--on');

  await type(page, '#text-input', '地点写错了');
  await tap(page, '#submit-entry');
  expect(text(page, '#form-error')).toContain('请修改要更正的内容');
  expect(fake.mutations()).toHaveLength(0);

  await type(page, '#place-input', ' 篮球场 ');
  await tap(page, '#severity-medium');
  await tap(page, '#submit-entry');
  expect(fake.sent('POST', '/incidents/70/entries')[0].data).toEqual({
    kind: 'correction', text: '地点写错了', changes: { severity: 'medium', place: '篮球场' },
  });
  expect(text(page, '#place')).toBe('篮球场');
  expect(text(page, '#title')).toContain('受伤 · 一般');
  expect(exists(page, '#corrected')).toBe(true);
  expect(texts(page, '#entry-1 .entry__change')).toEqual(['程度：轻微 → 一般', '地点：操场 → 篮球场']);
});

test('结案: the resolution required, a confirm (cancel sends nothing), then closed: only 更正 is left', async () => {
  incidentServer();
  const page = await open();
  await tap(page, '#close-btn');
  await tap(page, '#submit-entry');
  expect(text(page, '#text-error')).toBe('结案须写明处理结果');

  await type(page, '#text-input', '家长已带孩子就医，无大碍');
  fake.answerModal(false);
  await tap(page, '#submit-entry');
  expect(fake.mutations()).toHaveLength(0);

  fake.answerModal(true);
  await tap(page, '#submit-entry');
  expect(fake.sent('POST', '/incidents/70/entries')[0].data).toEqual({ kind: 'close', text: '家长已带孩子就医，无大碍' });
  expect(text(page, '#status')).toBe('已结案');
  expect(text(page, '#resolution')).toBe('处理结果：家长已带孩子就医，无大碍');
  expect(exists(page, '#follow-up-btn')).toBe(false);
  expect(exists(page, '#close-btn')).toBe(false);
  expect(exists(page, '#correction-btn')).toBe(true);
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已结案' }));
});

test('closed meanwhile by someone else: INCIDENT_CLOSED said and the incident read again', async () => {
  const state = incidentServer();
  const page = await open();
  await tap(page, '#follow-up-btn');
  state.status = 'closed';
  state.resolution = '已处理';
  await type(page, '#text-input', '再跟进一下');
  await tap(page, '#submit-entry');

  expect(fake.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '此事已结案，只能补充更正' }));
  expect(text(page, '#status')).toBe('已结案');
  expect(exists(page, '#entry-form')).toBe(false);
});

test('no answer: the key kept for the next tap (one entry); the guard reads but cannot add', async () => {
  incidentServer();
  const page = await open();
  const answer = fake.calls.length;
  fake.route('POST', '/incidents/70/entries', { network: true }, { network: true }, { network: true },
    { status: 201, body: incidentOut({ entries: [entry(1, 'follow_up', '已处理')] }) });
  await tap(page, '#follow-up-btn');
  await type(page, '#text-input', '已处理');
  await tap(page, '#submit-entry');
  expect(exists(page, '#entry-form')).toBe(true);
  await tap(page, '#submit-entry');
  const keys = fake.calls.slice(answer).filter((c) => c.method === 'POST').map((c) => c.header['Idempotency-Key']);
  expect(keys).toHaveLength(4);
  expect(new Set(keys).size).toBe(1);
  expect(texts(page, '.entry__kind')).toEqual(['跟进']);

  incidentServer({ profile: GUARD_ME });
  const guard = await open();
  expect(exists(guard, '#report')).toBe(true);
  expect(exists(guard, '#actions-bar')).toBe(false);
});

test('not found: the error screen', async () => {
  fake.route('GET', '/me', answerOf(DUTY_ME));
  fake.route('GET', '/incidents/70', { status: 404, body: { error: { code: 'INCIDENT_NOT_FOUND', message: '未找到该突发情况' } } });
  const page = await open();
  expect(text(page, '#load-error')).toContain('未找到该突发情况');
});
