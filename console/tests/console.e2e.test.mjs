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
      ['数据看板', '申请审核', '花名册导入', '社团目录', '看护班', '值班表', '放学看板', '满意度调查']);
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
    const [catalogue] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('button', { name: '导出目录与名单' }).click()]);
    assert.match(catalogue.suggestedFilename(), /^社团目录与名单-.*\.xlsx$/);

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

  test('a survey is written, published and its closing date moved; results by question, grade and class', () => step('surveys', async () => {
    await page.click('#nav a[href="#/surveys"]');
    const listed = await admin.get(`/terms/${termId}/surveys`);
    await page.locator('tr[data-survey-id]').first().waitFor();
    assert.equal(await page.locator('tr[data-survey-id]').count(), listed.length);

    // write a draft: the two questions the editor starts with, and a single choice added
    const title = '端到端测试问卷';
    await page.click('#survey-new');
    await page.fill('#survey-form input[name=title]', title);
    await page.click('#survey-add-question');
    const added = page.locator('#survey-questions > li').last();
    await added.locator('select[name=kind]').selectOption('single');
    await added.locator('input[name=text]').fill('孩子最喜欢的活动');
    await added.locator('textarea[name=options]').fill('体育\n阅读\n科技');
    await page.click('#survey-form button[type=submit]');
    await page.locator('#survey-message', { hasText: '已保存草稿' }).waitFor();
    const draft = (await admin.get(`/terms/${termId}/surveys`)).find((s) => s.title === title);
    assert.equal(draft.state, 'draft');
    assert.deepEqual(draft.questions.map((q) => q.kind), ['rating', 'text', 'single']);
    assert.deepEqual(draft.questions[2].options.map((o) => o.text), ['体育', '阅读', '科技']);

    // publish it now: the families are told
    const row = page.locator(`tr[data-survey-id="${draft.id}"]`);
    await row.getByRole('button', { name: '发布' }).click();
    await row.getByRole('button', { name: '确认发布' }).click();
    await page.locator('#survey-message', { hasText: '已通知家长填写' }).waitFor();
    const opened = await admin.get(`/surveys/${draft.id}`);
    assert.equal(opened.state, 'open');
    assert.ok(opened.announced_at, 'the families were told');

    // move its closing date to a month from today, 18:00 school time
    const closes = new Date(Date.now() + 30 * 86400000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await row.getByRole('button', { name: '修改截止时间' }).click();
    await row.locator('input[name=closes_at]').fill(`${closes}T18:00`);
    await row.getByRole('button', { name: '保存' }).click();
    await page.locator('#survey-message', { hasText: '截止时间已改为' }).waitFor();
    const moved = await admin.get(`/surveys/${draft.id}`);
    assert.equal(new Date(moved.closes_at).toISOString(), new Date(`${closes}T18:00:00+08:00`).toISOString());
    assert.deepEqual(moved.questions, opened.questions);

    // the demo survey's results, as the API counts them: the school, a grade, a class
    const answered = listed.filter((s) => s.responses > 0)[0];
    assert.ok(answered, 'the demo term has an answered survey');
    await page.locator(`tr[data-survey-id="${answered.id}"]`).getByRole('button', { name: '查看结果' }).click();
    await page.waitForURL(new RegExp(`#/surveys\\?id=${answered.id}$`));
    const check = async (query) => {
      const results = await admin.get(`/surveys/${answered.id}/results${query}`);
      const suggestions = await admin.get(`/surveys/${answered.id}/suggestions${query}`);
      await page.locator('#survey-title', { hasText: results.filter.label }).waitFor();
      assert.equal(await figure('survey.responses').textContent(), count(results.responses));
      assert.equal(await figure('survey.response_rate').textContent(), percent(results.response_rate));
      assert.equal(await figure('survey.satisfied_rate').textContent(), percent(results.satisfied_rate));
      for (const q of results.questions.filter((x) => x.rating)) {
        assert.equal(await figure(`q${q.question_id}.average`).textContent(), q.rating.average.toFixed(2));
      }
      assert.equal(await page.locator('#survey-results tr.suggestion').count(), suggestions.items.length);
      return results;
    };
    const school = await check('');
    assert.ok(school.responses > 0);
    const grade = (await page.locator('#survey-scope option[value^="grade:"]').first().getAttribute('value')).split(':')[1];
    await page.selectOption('#survey-scope', `grade:${grade}`);
    await check(`?grade=${grade}`);
    const classId = (await page.locator('#survey-scope option[value^="class:"]').first().getAttribute('value')).split(':')[1];
    await page.selectOption('#survey-scope', `class:${classId}`);
    await check(`?class_id=${classId}`);

    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#survey-export')]);
    assert.match(file.suggestedFilename(), /\.xlsx$/);
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
