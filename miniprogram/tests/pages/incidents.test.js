const { fakeBackendEachTest, answerOf } = require('../helpers/fake-wx');
const { openPage, tap, text, texts, exists } = require('../helpers/render-page');
const {
  NOW, DUTY_ME, GUARD_ME, incidentOut, entry,
} = require('../helpers/duty-fixtures');

let fake;
fakeBackendEachTest(NOW, (f) => { fake = f; });

const OPEN = [
  incidentOut({ id: 71, type: 'missing_child', type_label: '学生走失', severity: 'high', severity_label: '严重', at: '2026-11-24T08:20:00Z', place: '校门口' }),
  incidentOut({ entries: [entry(1, 'follow_up', '已联系家长')] }),
];
const CLOSED = incidentOut({ id: 60, day: '2026-11-20', at: '2026-11-20T08:00:00Z', status: 'closed', resolution: '家长已接走', type: 'illness', type_label: '身体不适' });

function routes({ profile = DUTY_ME, open = OPEN, recent = OPEN.concat([CLOSED]) } = {}) {
  fake.route('GET', '/me', answerOf(profile));
  fake.route('GET', '/incidents', (req) => answerOf(req.data.status === 'open' ? open : recent));
}

test('处理中: the open ones over the last 90 days (not just the default week), newest first, a missing child in red', async () => {
  routes();
  const page = await openPage('incidents');

  expect(fake.sent('GET', '/incidents')[0].data).toEqual({ status: 'open', from: '2026-08-26', to: '2026-11-24', school_id: 1 });
  expect(texts(page, '.incident__title')).toEqual(['学生走失 · 严重', '受伤 · 轻微']);
  expect(page.querySelector('#incident-71').dom.className).toContain('incident--missing');
  expect(text(page, '#incident-70')).toContain('今天 16:10 · 操场');
  expect(text(page, '#incident-70')).toContain('学生：张小明（三年级2班）');
  expect(text(page, '#incident-70')).toContain('跟进记录 1 条');
  expect(text(page, '#incident-70 .status')).toBe('处理中');
});

test('最近 7 天: everything of the week (the server\'s default window), closed ones said', async () => {
  routes();
  const page = await openPage('incidents');
  await tap(page, '#tab-recent');

  expect(fake.sent('GET', '/incidents')[1].data).toEqual({ school_id: 1 });
  expect(texts(page, '.incident__title')).toHaveLength(3);
  expect(text(page, '#incident-60 .status')).toBe('已结案');
  expect(text(page, '#incident-60')).toContain('11月20日 16:00');
  await tap(page, '#tab-recent');
  expect(fake.sent('GET', '/incidents')).toHaveLength(2);
});

test('tap → the incident; 报告突发情况 → the form; nothing open is said; the guard may read', async () => {
  routes({ profile: GUARD_ME, open: [] });
  const page = await openPage('incidents');
  expect(text(page, '#empty')).toBe('没有待处理的突发情况。');

  await tap(page, '#report-btn');
  routes();
  await page.instance.onPullDownRefresh();
  await tap(page, '#incident-71');
  expect(fake.wx.navigateTo.mock.calls.map(([o]) => o.url)).toEqual(['/pages/incident-report/index', '/pages/incident/index?id=71']);
  expect(fake.wx.stopPullDownRefresh).toHaveBeenCalled();
});

test('a failed first load: the error and 重新加载', async () => {
  routes({ open: { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器开小差了' } } } });
  const page = await openPage('incidents');
  expect(text(page, '#load-error')).toContain('服务器开小差了');
  routes();
  await tap(page, '#retry-btn');
  expect(texts(page, '.incident__title')).toHaveLength(2);
});
