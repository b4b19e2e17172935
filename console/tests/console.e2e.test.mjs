/**
 * The console end to end: a real demo backend (python -m app.cli demo-server, throw-away SQLite) and Debian's
 * Chromium, headless, driven by Playwright. Every figure the pages show is checked against the API.
 *
 *   cd console && npm test          (make test-console)
 *
 * CHROMIUM=/path/to/chromium overrides /usr/bin/chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';

import { apiAs, startDemoServer } from './helpers/demo-server.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'kehou-admin' };
const TIMEOUT = 10000;

const percent = (value) => `${Number(value).toFixed(2)}%`;
const count = (value) => Number(value).toLocaleString('zh-CN');

describe('the admin console at /admin', { timeout: 120000 }, () => {
  let server;
  let browser;
  let page;
  let admin; // the tests' own API client, logged in as the demo admin
  let schoolId;
  let termId;
  const offsite = []; // requests that left the backend's origin (a CDN, say)
  const problems = []; // uncaught page errors and console errors (CSP refusals land here)

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: run \`make install\` (it installs Debian's chromium)`);
    // both at once; each is kept as soon as it is up, so `after` closes whichever started when the other fails
    const starting = [
      startDemoServer().then((started) => { server = started; }),
      chromium.launch({ executablePath: CHROMIUM, headless: true }).then((launched) => { browser = launched; }),
    ];
    const failed = (await Promise.allSettled(starting)).find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    admin = await apiAs(server.origin, ADMIN.username, ADMIN.password);
    const me = await admin.get('/me');
    schoolId = me.schools.find((s) => s.roles.includes('admin')).id;
    const terms = await admin.get(`/schools/${schoolId}/terms`);
    termId = (terms.find((t) => t.is_current) || terms[terms.length - 1]).id; // as the console picks it

    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(TIMEOUT);
    page = await context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== server.origin) offsite.push(request.url());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // a refused API call (401, 422…) is logged by Chromium as a failed resource: expected in these tests
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  /** Run a step; on failure keep a screenshot and say where it is. */
  async function step(name, work) {
    try {
      await work();
    } catch (error) {
      const path = join(tmpdir(), `kehou-console-${name.replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
      error.message += `\n(screenshot: ${path})`;
      throw error;
    }
  }

  const figure = (name) => page.locator(`[data-figure="${name}"]`);

  test('/admin serves the login page; a wrong password shows the backend\'s message', () => step('login-page', async () => {
    const response = await page.goto(`${server.origin}/admin`);
    assert.equal(new URL(page.url()).pathname, '/admin/');
    assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
    await page.locator('#login-form').waitFor();
    await page.fill('#login-username', ADMIN.username);
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    const refused = await admin.call('POST', '/auth/password', { username: ADMIN.username, password: 'not-the-password' });
    assert.equal(refused.status, 401);
    await page.locator('#login-error', { hasText: refused.data.error.message }).waitFor();
    assert.ok(await page.locator('#shell').isHidden());
  }));

  test('a teacher is sent to the mini-program instead', () => step('teacher', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    try {
      const other = await context.newPage();
      await other.goto(`${server.origin}/admin/`);
      await other.fill('#login-username', 'teacher');
      await other.fill('#login-password', 'kehou-teacher');
      await other.click('#login-submit');
      await other.locator('#login-error', { hasText: '网页后台仅供学校管理员' }).waitFor({ timeout: TIMEOUT });
      assert.ok(await other.locator('#shell').isHidden());
      assert.equal(await other.evaluate(() => sessionStorage.getItem('kehou.console.token')), null);
    } finally {
      await context.close();
    }
  }));

  test('logs in with the demo admin\'s password', () => step('login', async () => {
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-submit');
    await page.locator('#shell').waitFor();
    await page.waitForURL(/#\/dashboard$/);
    const me = await admin.get('/me');
    assert.equal(await page.textContent('#who'), me.name);
    assert.deepEqual(await page.locator('#nav a').allTextContents(),
      ['数据看板', '申请审核', '花名册导入', '社团目录', '看护班', '值班表', '放学看板']);
    assert.equal(await page.inputValue('#term-select'), String(termId));
  }));

  test('the dashboard shows the demo school\'s figures, as the reports API computes them', () => step('dashboard', async () => {
    // the page's request first: the first computation of a term's figures is the slow one (it keeps day figures)
    await page.locator('[data-figure="participation.participation_rate"], .dashboard .alert.error').first()
      .waitFor({ timeout: 60000 });
    const failure = page.locator('.dashboard .alert.error');
    assert.equal(await failure.count(), 0, `the dashboard shows an error: ${await failure.allTextContents()}`);
    const report = await admin.get(`/reports/schools/${schoolId}?term_id=${termId}`);
    const shown = {
      'participation.participation_rate': percent(report.participation.participation_rate),
      'participation.approved': count(report.participation.approved),
      'participation.eligible': count(report.participation.eligible),
      'attendance.attendance_rate': percent(report.attendance.attendance_rate),
      'teachers.participation_rate': percent(report.teachers.participation_rate),
      'patrols.rate': percent(report.patrols.rate),
      'pickups.released': count(report.pickups.released),
      'incidents.total': count(report.incidents.total),
      'satisfaction.satisfied_rate': percent(report.satisfaction.satisfied_rate),
    };
    for (const [name, text] of Object.entries(shown)) {
      assert.equal(await figure(name).textContent(), text, name);
    }
    // the participation figures are the applications summary's (docs/reports.md)
    const summary = await admin.get(`/terms/${termId}/applications/summary`);
    assert.equal(report.participation.participation_rate, summary.participation_rate);
    assert.equal(report.participation.eligible, summary.eligible);
    // the charts are drawn by the vendored Chart.js
    const charts = await page.evaluate(() => Object.keys(window.Chart.instances).length);
    assert.ok(charts >= 2, `expected charts on the dashboard, found ${charts}`);
  }));

  test('a roster with a bad row is refused, and the page names that row', () => step('roster', async () => {
    const header = '学号,姓名,性别,年级,班级,监护人1姓名,监护人1电话,监护人1关系';
    const good = '30990001,测试甲,男,3,1,测试家长甲,13900990001,妈妈';
    const bad = '30990002,测试乙,女,3,1,测试家长乙,1390099,爸爸'; // 7-digit phone
    await page.click('#nav a[href="#/roster"]');
    await page.setInputFiles('#roster-file', { name: '花名册.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${good}\n${bad}\n`) });
    await page.click('#roster-submit');
    const row = page.locator('#roster-result .row-error[data-row="3"]');
    await row.waitFor();
    assert.match(await row.textContent(), /监护人1电话.*应为 11 位手机号/);
    assert.match(await page.textContent('#roster-result .alert-message'), /花名册有 1 处错误，未导入任何数据/);
    assert.equal(await page.locator('#roster-result .row-error').count(), 1);
    const none = await admin.get(`/schools/${schoolId}/students?q=30990001`);
    assert.equal(none.total, 0, 'nothing is imported from a file with an error');

    // fixed, the same file goes in
    const fixed = bad.replace('1390099,', '13900990002,');
    await page.setInputFiles('#roster-file', { name: '花名册.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${good}\n${fixed}\n`) });
    await page.click('#roster-submit');
    await page.locator('#roster-result [data-result="created"]', { hasText: '2' }).waitFor();
    const found = await admin.get(`/schools/${schoolId}/students?q=3099000`);
    assert.deepEqual(found.items.map((s) => s.name).sort(), ['测试乙', '测试甲']);
  }));

  test('approving an application, one by one and in bulk, changes its status in the API', () => step('applications', async () => {
    await page.click('#nav a[href="#/applications"]');
    const rows = page.locator('tr[data-application-id]');
    await rows.first().waitFor();
    const waiting = await admin.get(`/terms/${termId}/applications?status=class_approved`);
    assert.equal(await rows.count(), waiting.length, 'the list shows the applications waiting for 审定');

    // one
    const first = rows.first();
    const id = Number(await first.getAttribute('data-application-id'));
    await first.getByRole('button', { name: '通过' }).click();
    await page.locator(`tr[data-application-id="${id}"]`).waitFor({ state: 'detached' });
    assert.equal((await admin.get(`/applications/${id}`)).status, 'approved');

    // two at once
    const ids = [];
    for (const row of (await rows.all()).slice(0, 2)) {
      ids.push(Number(await row.getAttribute('data-application-id')));
      await row.locator('input[type=checkbox]').check();
    }
    await page.click('#bulk-approve');
    await page.locator('#review-result', { hasText: '已批量审定通过 2 份申请' }).waitFor();
    for (const approved of ids) assert.equal((await admin.get(`/applications/${approved}`)).status, 'approved');
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-application-id]').length === n, waiting.length - 3);
  }));

  test('clubs, care groups and the duty roster show what the API holds', () => step('catalogues', async () => {
    await page.click('#nav a[href="#/clubs"]');
    const clubs = await admin.get(`/terms/${termId}/clubs`);
    await page.locator('tr[data-club-id]').first().waitFor();
    assert.equal(await page.locator('tr[data-club-id]').count(), clubs.length);

    await page.click('#nav a[href="#/care-groups"]');
    const groups = await admin.get(`/terms/${termId}/care-groups`);
    await figure('care.groups').waitFor();
    assert.equal(await figure('care.groups').textContent(), count(groups.groups.length));
    assert.equal(await figure('care.placed').textContent(), count(groups.placed));

    await page.click('#nav a[href="#/duty"]');
    await page.getByRole('button', { name: '生成本学期值班表' }).click();
    await page.locator('.alert.success', { hasText: '已排' }).waitFor();
    const from = await page.inputValue('input[aria-label="开始日期"]');
    const to = await page.inputValue('input[aria-label="结束日期"]');
    const roster = await admin.get(`/duty/roster?from=${from}&to=${to}`);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-date]').length === n, roster.length);
  }));

  test('the pickup board refreshes by itself every 15 seconds', () => step('pickup', async () => {
    // a fake clock, so 15 s pass at once; the console is reloaded under it (the token survives in sessionStorage)
    await page.clock.install();
    await page.goto(`${server.origin}/admin/#/pickup`);
    await page.reload();
    await page.locator('#board-status[data-refreshed-at]').waitFor();
    const before = await admin.get(`/pickup/board?school_id=${schoolId}`);
    const firstRefresh = await page.getAttribute('#board-status', 'data-refreshed-at');

    // a child goes home (a manual release by the admin) while the board is open
    let released = false;
    if (before.served && before.not_released.length) {
      const child = before.not_released[0];
      const { adults } = await admin.get(`/pickup/students/${child.student_id}/adults`);
      const adult = adults.find((a) => a.allowed && a.guardian_id);
      if (adult) {
        const reply = await admin.call('POST', '/pickup/handoffs/manual',
          { student_id: child.student_id, guardian_id: adult.guardian_id, note: '核对了身份证（端到端测试）' });
        released = reply.status === 200;
      }
    }
    await page.waitForTimeout(200);
    assert.equal(await page.getAttribute('#board-status', 'data-refreshed-at'), firstRefresh, 'no refresh before 15 s');

    const refreshed = page.waitForResponse((r) => r.url().includes('/api/v1/pickup/board'));
    await page.clock.runFor(15000);
    await refreshed;
    await page.waitForFunction((first) => document.querySelector('#board-status').dataset.refreshedAt !== first, firstRefresh);
    if (before.served) {
      const now = await admin.get(`/pickup/board?school_id=${schoolId}`);
      assert.equal(now.remaining, before.remaining - (released ? 1 : 0));
      assert.equal(await figure('board.remaining').textContent(), count(now.remaining));
    }
  }));

  test('nothing came from another origin, and the page logged no errors', () => {
    assert.deepEqual(offsite, []);
    assert.deepEqual(problems, []);
  });
});
