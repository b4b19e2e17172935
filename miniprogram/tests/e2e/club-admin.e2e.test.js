/**
 * @jest-environment jsdom
 *
 * End to end: the admin's club pages (pages/club-admin, pages/club-edit) rendered with miniprogram-simulate,
 * their requests going over Node's http to the demo server (tests/e2e/backend.js) as demo-admin (教导处).
 * The demo term has 16 clubs, some full with a waitlist, and an open first-come round.
 *
 * The admin reads the fill rates, creates a club through the form (a duplicate name is refused on the name
 * field; the cover goes up as a real multipart upload and is served back from its signed link), edits it,
 * closes it from the list, and creates a lottery round that has already closed, draws it and reads the seed.
 */
require('miniprogram-simulate');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const config = require('../../config/index');
const clubs = require('../../services/clubs');
const terms = require('../../services/terms');
const { shanghaiToday } = require('../../utils/format');
const auth = require('../../services/auth');
const { pageToComponent } = require('../helpers/page-shim');
const { openPage, tap, type, pick, text, texts, exists } = require('../helpers/render-page');
const { describeIfBackend, useDemoBackend, createNodeWx, uploadFile, PNG } = require('./backend');

global.Page = (options) => Component(pageToComponent(options));
global.getCurrentPages = () => [];

jest.setTimeout(60000);

function httpGet(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}


describeIfBackend('club admin pages against the real backend (demo-server)', () => {
  useDemoBackend('demo-admin');
  let wxImpl;
  let tmpDir;
  let pngPath;
  const ctx = {};

  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kehou-cover-'));
    pngPath = path.join(tmpDir, 'cover.png');
    fs.writeFileSync(pngPath, PNG);
    global.wx = createNodeWx();
    const profile = await auth.me();
    ctx.school = profile.schools.find((s) => s.roles.indexOf('admin') >= 0);
    ctx.term = await terms.currentTerm(ctx.school.id);
  });

  afterAll(() => {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    wxImpl = createNodeWx();
    wxImpl.navigateTo = jest.fn();
    wxImpl.navigateBack = jest.fn();
    wxImpl.stopPullDownRefresh = jest.fn();
    wxImpl.showModal = jest.fn((options) => setTimeout(() => options.success({ confirm: true, cancel: false }), 0));
    wxImpl.uploadFile = jest.fn(uploadFile);
    wxImpl.chooseMedia = jest.fn((options) => setTimeout(() => options.success({
      type: 'image', tempFiles: [{ tempFilePath: pngPath, size: PNG.length, fileType: 'image' }],
    }), 0));
    global.wx = wxImpl;
  });

  async function showAdmin() {
    const page = await openPage('club-admin');
    expect(exists(page, '#load-error')).toBe(false);
    return page;
  }

  test('the admin page shows every club\'s fill and the totals, as the server counts them', async () => {
    const list = await clubs.listClubs(ctx.term.id);
    expect(list).toHaveLength(16);
    const capacity = list.reduce((s, c) => s + c.capacity, 0);
    const enrolled = list.reduce((s, c) => s + c.enrolled, 0);

    const page = await showAdmin();

    expect(text(page, '#term-name')).toBe(`${ctx.school.name} · ${ctx.term.name}`);
    expect(text(page, '#total-clubs')).toBe('16');
    expect(text(page, '#total-capacity')).toBe(String(capacity));
    expect(text(page, '#total-enrolled')).toBe(String(enrolled));
    expect(text(page, '#total-rate')).toBe(`${Math.round((100 * enrolled) / capacity)}%`);
    expect(text(page, '#total-waitlisted')).toBe(String(list.reduce((s, c) => s + c.waitlisted, 0)));
    expect(page.querySelectorAll('.club')).toHaveLength(16);

    // grouped in the categories' order
    const order = Object.keys(clubs.CATEGORY_LABELS).filter((k) => list.some((c) => c.category === k));
    expect(texts(page, '.group__name')).toEqual(order.map((k) => clubs.CATEGORY_LABELS[k]));

    // a full club with a waitlist
    const full = list.find((c) => c.free_seats === 0 && c.waitlisted > 0);
    expect(full).toBeTruthy();
    expect(text(page, `#club-${full.id} .fill__count`)).toBe(`已选 ${full.enrolled}/${full.capacity}`);
    expect(text(page, `#club-${full.id} .fill__rate`)).toBe('100%');
    expect(text(page, `#club-${full.id} .club__waitlist`)).toBe(`候补 ${full.waitlisted}`);
    expect(text(page, `#club-${full.id} .badge--full`)).toBe('已满');

    // the demo's open first-come round
    expect(texts(page, '.round__state')).toContain('进行中');
  });

  test('creates a club through the form with a cover, edits it, and closes it from the list', async () => {
    const form = await openPage('club-edit', { term_id: String(ctx.term.id), school_id: String(ctx.school.id) });
    expect(exists(form, '#load-error')).toBe(false);
    const teachers = form.instance.data.teacherOptions;
    expect(teachers.length).toBeGreaterThan(5);
    const teacherIndex = 1;

    await type(form, '#name-input', '书法'); // already in the catalogue
    await pick(form, '#category-picker', 4); // 劳动
    await pick(form, '#teacher-picker', teacherIndex);
    await type(form, '#venue-input', '劳技教室');
    await tap(form, '#day-3');
    await tap(form, '#day-5');
    await pick(form, '#start-picker', '16:10');
    await pick(form, '#end-picker', '17:00');
    await type(form, '#capacity-input', '20');
    await tap(form, '#grade-3');
    await tap(form, '#grade-4');
    await type(form, '#description-input', '端到端测试：陶艺');
    await form.instance.onChooseCover();
    expect(form.instance.data.coverUrl).toBe(pngPath);

    // the server refuses the duplicate name, on the name field; nothing was uploaded
    await form.instance.onSubmit();
    expect(text(form, '#name-error')).toBe('同名社团已存在');
    expect(wxImpl.uploadFile).not.toHaveBeenCalled();

    await type(form, '#name-input', '陶艺（测试）');
    await form.instance.onSubmit();
    expect(exists(form, '#form-error')).toBe(false);
    expect(wxImpl.navigateBack).toHaveBeenCalledTimes(1);
    expect(wxImpl.uploadFile).toHaveBeenCalledTimes(1);
    expect(wxImpl.toasts.map((t) => t.title)).toEqual(['已新建社团']);

    const created = (await clubs.listClubs(ctx.term.id)).find((c) => c.name === '陶艺（测试）');
    expect(created).toEqual(expect.objectContaining({
      category: 'labour', teacher_staff_id: teachers[teacherIndex].id, venue: '劳技教室', weekdays: [3, 5],
      start_time: '16:10', end_time: '17:00', capacity: 20, grades: [3, 4], min_to_open: null, enrolled: 0,
      description: '端到端测试：陶艺',
    }));
    // the cover is served from its signed link, without a token
    expect(created.cover_url).toMatch(/^\/api\/v1\/clubs\/\d+\/cover\/[0-9a-f]+\.png\?exp=\d+&sig=/);
    const cover = await httpGet(clubs.coverSrc(created.cover_url));
    expect(cover.status).toBe(200);
    expect(cover.type).toBe('image/png');
    expect(cover.body.equals(PNG)).toBe(true);

    // the list shows it, empty
    const admin = await showAdmin();
    expect(text(admin, '#total-clubs')).toBe('17');
    expect(text(admin, `#club-${created.id} .fill__count`)).toBe('已选 0/20');
    expect(texts(admin, '#group-labour .club__name')).toContain('陶艺（测试）');
    await tap(admin, `#club-${created.id}`);
    expect(wxImpl.navigateTo).toHaveBeenCalledWith({
      url: `/pages/club-edit/index?club_id=${created.id}&school_id=${ctx.school.id}`,
    });

    // edit it: prefilled from the server, saved with PUT
    const edit = await openPage('club-edit', { club_id: String(created.id), school_id: String(ctx.school.id) });
    expect(edit.instance.data.form).toEqual(expect.objectContaining({
      name: '陶艺（测试）', category: 'labour', weekdays: [3, 5], capacity: '20', grades: [3, 4],
    }));
    expect(edit.instance.data.coverUrl).toBe(clubs.coverSrc(created.cover_url));
    await type(edit, '#capacity-input', '25');
    await type(edit, '#min-input', '12');
    await tap(edit, '#day-5');
    await edit.instance.onSubmit();
    expect(exists(edit, '#form-error')).toBe(false);
    expect(wxImpl.navigateBack).toHaveBeenCalledTimes(2);
    const edited = await clubs.getClub(created.id);
    expect(edited).toEqual(expect.objectContaining({ capacity: 25, min_to_open: 12, weekdays: [3], name: '陶艺（测试）' }));

    // back on the list (onShow), then 停开 with the confirmation
    await admin.instance.onShow();
    expect(text(admin, `#club-${created.id} .fill__count`)).toBe('已选 0/25');
    expect(text(admin, `#club-${created.id} .club__min`)).toBe('开班至少 12 人，还差 12 人');
    await admin.instance.onCloseClub({ currentTarget: { dataset: { id: created.id } } });
    expect(wxImpl.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '停开社团' }));
    expect(exists(admin, `#club-${created.id}`)).toBe(false);
    expect(text(admin, '#total-clubs')).toBe('16');
    const after = await clubs.listClubs(ctx.term.id);
    expect(after.some((c) => c.id === created.id)).toBe(false);
    expect(after).toHaveLength(16);
  });

  test('creates a lottery round that has already closed, draws it, and shows the recorded seed', async () => {
    const page = await showAdmin();
    const before = page.instance.data.rounds.length;
    const today = shanghaiToday();

    page.instance.onNewRound();
    await type(page, '#round-name', '测试摇号');
    await tap(page, '#mode-lottery');
    await pick(page, '#opens-date', addDays(today, -3));
    await pick(page, '#opens-time', '08:00');
    await pick(page, '#closes-date', addDays(today, -2));
    await pick(page, '#closes-time', '20:00');
    await page.instance.onSubmitRound();
    expect(exists(page, '#round-form')).toBe(false);

    const rounds = page.instance.data.rounds;
    expect(rounds).toHaveLength(before + 1);
    const mine = rounds.find((r) => r.name === '测试摇号');
    expect(mine).toEqual(expect.objectContaining({ mode: 'lottery', stateLabel: '已结束', canDraw: true }));
    expect(text(page, `#round-${mine.id}`)).toContain(`${addDays(today, -3)} 08:00 至 ${addDays(today, -2)} 20:00`);
    // the server stored Beijing time
    const stored = (await clubs.listRounds(ctx.term.id)).find((r) => r.id === mine.id);
    expect(Date.parse(stored.opens_at)).toBe(Date.parse(`${addDays(today, -3)}T08:00:00+08:00`));
    expect(stored.priority_first).toBe(true);

    await page.instance.onDraw({ currentTarget: { dataset: { id: mine.id } } });
    const result = page.instance.data.result;
    expect(result.seed).toMatch(/^[0-9a-f]{16}$/);
    expect(text(page, '#draw-seed')).toBe(`随机种子：${result.seed}`);
    // nobody filled in choices for this round
    expect(text(page, '#result-empty')).toBe('本轮没有人填报志愿。');
    expect(text(page, `#round-${mine.id} .round__state`)).toBe('已摇号');
    expect(text(page, `#round-${mine.id} .round__seed`)).toBe(`种子 ${result.seed}`);
    expect(exists(page, `#round-${mine.id} .draw-btn`)).toBe(false);

    const server = await clubs.lotteryResults(mine.id);
    expect(server.seed).toBe(result.seed);
    // a second draw is refused by the server with the seed
    const again = await clubs.drawLottery(mine.id, null, { toast: false }).catch((e) => e);
    expect(again.code).toBe('LOTTERY_DRAWN');
    expect(again.message).toContain(result.seed);
  });
});
