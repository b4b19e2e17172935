/** services/terms.js: the term to work on, as the server picks it, and the requests behind it. */
const terms = require('../services/terms');
const { setUpFakeBackend } = require('./helpers/fake-wx');

const TERMS = [
  { id: 2, name: '春季', starts_on: '2026-02-20', ends_on: '2026-07-10', is_current: false },
  { id: 1, name: '秋季', starts_on: '2025-09-01', ends_on: '2026-01-20', is_current: false },
];

test('the current term: the running one, else the next to start, else the latest (like the server)', () => {
  expect(terms.pickCurrentTerm(TERMS, '2026-03-01').id).toBe(2);
  expect(terms.pickCurrentTerm(TERMS, '2026-02-01').id).toBe(2); // winter break: the next one
  expect(terms.pickCurrentTerm(TERMS, '2026-08-01').id).toBe(2); // nothing next: the latest
  expect(terms.pickCurrentTerm(TERMS, '2025-10-01').id).toBe(1);
  expect(terms.pickCurrentTerm([{ ...TERMS[1], is_current: true }, TERMS[0]], '2026-08-01').id).toBe(1);
  expect(terms.pickCurrentTerm([], '2026-03-01')).toBeNull();
});

test('a school\'s current term is read from its terms; none is NO_TERM', async () => {
  const fake = setUpFakeBackend();
  fake.route('GET', '/schools/1/terms', { status: 200, body: [{ ...TERMS[1], is_current: true }, TERMS[0]] }, { status: 200, body: [] });
  fake.route('GET', '/terms/2', { status: 200, body: TERMS[0] });

  await expect(terms.currentTerm(1)).resolves.toEqual(expect.objectContaining({ id: 1 }));
  await expect(terms.currentTerm(1)).rejects.toEqual(expect.objectContaining({ code: 'NO_TERM', message: '学校尚未设置学期' }));
  await expect(terms.getTerm(2)).resolves.toEqual(TERMS[0]);

  expect(fake.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
    'GET http://api.test/api/v1/schools/1/terms',
    'GET http://api.test/api/v1/schools/1/terms',
    'GET http://api.test/api/v1/terms/2',
  ]);
  expect(fake.calls.every((c) => c.data === undefined && !c.header['Idempotency-Key'])).toBe(true);
  expect(fake.calls[2].header.Authorization).toBe('Bearer stored-token');
});

test('request options reach the request: {toast: false} leaves a refusal to the page', async () => {
  const fake = setUpFakeBackend();
  fake.route('GET', '/terms/9', { status: 404, body: { error: { code: 'TERM_NOT_FOUND', message: '未找到该学期' } } });

  await expect(terms.getTerm(9, { toast: false })).rejects.toEqual(expect.objectContaining({ code: 'TERM_NOT_FOUND', status: 404 }));
  expect(fake.wx.showToast).not.toHaveBeenCalled();
  await expect(terms.getTerm(9)).rejects.toEqual(expect.objectContaining({ code: 'TERM_NOT_FOUND' }));
  expect(fake.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '未找到该学期' }));
  expect(fake.sent('GET', '/terms/9')).toHaveLength(2);
});
