/**
 * End to end: services/clubs.js (over the real services/request.js) and the pages' own code
 * (tests/e2e/plain-page.js) against the real backend with the demo school (tests/e2e/backend.js): the demo
 * term has 16 clubs and an open first-come round; demo-guardian's younger child (一年级) is approved and has
 * chosen nothing; demo-teacher leads 书法 and 篮球.
 */
const { request } = require('../../services/request');
const auth = require('../../services/auth');
const clubs = require('../../services/clubs');
const terms = require('../../services/terms');
const { describeIfBackend, useDemoBackend, createNodeWx, actAs } = require('./backend');
const { openPage, event } = require('./plain-page');

/**
 * Record every answer to requests matching `match` ({key, status, replayed}); with `loseFirst`, the first
 * matching answer is thrown away after the server has handled it — the phone sees a network failure,
 * as when the signal drops at the school gate.
 */
function watch(wxImpl, match, { loseFirst = false } = {}) {
  const original = wxImpl.request;
  const answers = [];
  let lost = false;
  wxImpl.request = (options) => original.call(wxImpl, {
    ...options,
    success: (res) => {
      if (!match(options)) {
        if (options.success) options.success(res);
        return;
      }
      answers.push({
        key: options.header['Idempotency-Key'],
        status: res.statusCode,
        replayed: res.header['idempotent-replayed'] === 'true',
      });
      if (loseFirst && !lost) {
        lost = true;
        if (options.fail) options.fail({ errMsg: 'request:fail timeout' });
        return;
      }
      if (options.success) options.success(res);
    },
  });
  return answers;
}

describeIfBackend('clubs against the real backend (demo-server)', () => {
  useDemoBackend('demo-guardian');
  let wxImpl;
  const ctx = {};

  const seats = async (clubId) => {
    const list = await clubs.listClubs(ctx.term.id, ctx.child.id);
    return list.find((c) => c.id === clubId);
  };

  beforeAll(async () => {
    global.wx = createNodeWx();
    const profile = await auth.me();
    ctx.child = profile.children.find((c) => c.class_name.indexOf('一年级') === 0);
    ctx.term = await terms.currentTerm(ctx.child.school_id);
  });

  beforeEach(() => {
    wxImpl = createNodeWx();
    global.wx = wxImpl;
    actAs('demo-guardian', wxImpl);
  });

  test('the guardian lists the clubs for the younger child: seats, reasons, an open first-come round', async () => {
    expect(ctx.child).toBeTruthy();
    const rounds = await clubs.listRounds(ctx.term.id);
    const state = clubs.roundsState(rounds);
    expect(state.firstCome).toEqual(expect.objectContaining({ mode: 'first_come', is_open: true }));

    const list = await clubs.listClubs(ctx.term.id, ctx.child.id);
    expect(list).toHaveLength(16);
    list.forEach((club) => {
      expect(club).toEqual(expect.objectContaining({
        name: expect.any(String), weekdays: expect.any(Array), start_time: expect.any(String),
        free_seats: expect.any(Number), waitlisted: expect.any(Number), may_choose: expect.any(Boolean),
      }));
      expect(club.my_status).toBeNull();
      expect(club.free_seats).toBe(Math.max(0, club.capacity - club.enrolled));
    });
    // a club for older children says why, in Chinese
    const calligraphy = list.find((c) => c.name === '书法');
    expect(calligraphy.may_choose).toBe(false);
    expect(calligraphy.reason).toBe('该社团不面向本年级');
    expect(list.some((c) => c.free_seats === 0 && c.waitlisted > 0)).toBe(true);
    expect(list.filter((c) => c.may_choose).every((c) => c.grades.indexOf(1) >= 0)).toBe(true);

    ctx.clubA = list.find((c) => c.may_choose && c.free_seats >= 2);
    expect(ctx.clubA).toBeTruthy();

    // enrolling where the grade does not fit is refused with that reason
    const refused = await clubs.enroll(calligraphy.id, ctx.child.id, { toast: false }).catch((e) => e);
    expect(refused.code).toBe('CLUB_NOT_ALLOWED');
    expect(refused.message).toBe('该社团不面向本年级');
  });

  test('enrols; a retry after a lost answer replays it with the same key and takes one seat', async () => {
    const before = await seats(ctx.clubA.id);
    const answers = watch(wxImpl, (o) => o.method === 'POST' && o.url.endsWith(`/clubs/${ctx.clubA.id}/enrollments`),
      { loseFirst: true });

    const result = await clubs.enroll(ctx.clubA.id, ctx.child.id);

    expect(result).toEqual(expect.objectContaining({
      club_id: ctx.clubA.id, student_id: ctx.child.id, status: 'enrolled', status_label: '已选上', position: null,
    }));
    expect(answers).toHaveLength(2);
    expect(answers[0].key).toBeTruthy();
    expect(answers[1].key).toBe(answers[0].key);
    expect(answers[1].replayed).toBe(true);
    const after = await seats(ctx.clubA.id);
    expect(after.free_seats).toBe(before.free_seats - 1);
    expect(after.enrolled).toBe(before.enrolled + 1);
    expect(after.my_status).toBe('enrolled');
    expect(wxImpl.toasts).toEqual([]);

    const places = await clubs.childClubs(ctx.child.id);
    expect(places).toEqual([expect.objectContaining({ club_id: ctx.clubA.id, status: 'enrolled', club_name: ctx.clubA.name })]);
  });

  test('a double submit with one Idempotency-Key takes one seat', async () => {
    const list = await clubs.listClubs(ctx.term.id, ctx.child.id);
    ctx.clubB = list.find((c) => c.may_choose && c.free_seats >= 2 && c.id !== ctx.clubA.id);
    expect(ctx.clubB).toBeTruthy();
    const before = ctx.clubB;
    const key = `e2e-double-${Date.now()}`;
    const send = () => request({
      url: `/clubs/${ctx.clubB.id}/enrollments`,
      method: 'POST',
      data: { student_id: ctx.child.id },
      header: { 'Idempotency-Key': key },
      toast: false,
    });

    // both at the same instant (the second waits or is told the first is in progress), then once more the
    // moment the answers are in (it waits for the first's key to settle, then gets the same answer)
    const settled = await Promise.allSettled([send(), send()]);
    const again = await send();

    const ok = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    ok.forEach((value) => expect(value).toEqual(expect.objectContaining({ status: 'enrolled', club_id: ctx.clubB.id })));
    settled.filter((s) => s.status === 'rejected').forEach((s) => expect(s.reason.code).toBe('IDEMPOTENCY_IN_PROGRESS'));
    expect(again.id).toBe(ok[0].id);
    const after = await seats(ctx.clubB.id);
    expect(after.free_seats).toBe(before.free_seats - 1);
    expect(after.enrolled).toBe(before.enrolled + 1);

    // two clubs held: the per-child maximum now shows on the others, in Chinese
    const now = await clubs.listClubs(ctx.term.id, ctx.child.id);
    const other = now.find((c) => c.grades.indexOf(1) >= 0 && !c.my_status);
    expect(other.may_choose).toBe(false);
    expect(other.reason).toMatch(/每人最多选 2 个社团|时间冲突/);
  });

  test('drops: the seat comes back once, and the club leaves the child\'s list', async () => {
    const before = await seats(ctx.clubA.id);
    const dropped = await clubs.drop(ctx.clubA.id, ctx.child.id);
    expect(dropped).toEqual(expect.objectContaining({ club_id: ctx.clubA.id, status: 'dropped' }));
    // dropping again (a new tap) frees nothing more
    await clubs.drop(ctx.clubA.id, ctx.child.id);
    const after = await seats(ctx.clubA.id);
    expect(after.enrolled).toBe(before.enrolled - 1);
    expect(after.my_status).toBe('dropped');

    let places = await clubs.childClubs(ctx.child.id);
    expect(places.map((p) => p.club_id)).toEqual([ctx.clubB.id]);
    await clubs.drop(ctx.clubB.id, ctx.child.id);
    places = await clubs.childClubs(ctx.child.id);
    expect(places).toEqual([]);
    expect(wxImpl.toasts).toEqual([]);
  });

  test('the demo teacher finds the clubs they lead (my-clubs) and reads a roster with guardians\' phones masked (not their class); a guardian may not', async () => {
    const guardianTry = await clubs.roster(ctx.clubA.id, { toast: false }).catch((e) => e);
    expect([403, 404]).toContain(guardianTry.status);
    const guardianClubs = await clubs.myClubs(ctx.term.id, { toast: false }).catch((e) => e);
    expect(guardianClubs.status).toBe(403);

    actAs('demo-teacher', wxImpl);
    const profile = await auth.me();
    const school = profile.schools.find((s) => s.staff_id);
    expect(school).toBeTruthy();
    const term = await terms.currentTerm(school.id);
    const mine = await clubs.myClubs(term.id);
    expect(mine.map((c) => c.name).sort()).toEqual(['书法', '篮球'].sort());
    // exactly the catalogue's clubs with this teacher
    const led = (await clubs.listClubs(term.id)).filter((c) => c.teacher_staff_id === school.staff_id);
    expect(mine.map((c) => c.id).sort()).toEqual(led.map((c) => c.id).sort());

    const withPupils = [];
    for (const club of mine) {
      const rows = await clubs.roster(club.id);
      expect(rows.filter((r) => r.status === 'enrolled')).toHaveLength(club.enrolled);
      expect(rows.filter((r) => r.status === 'waitlisted')).toHaveLength(club.waitlisted);
      withPupils.push(...rows);
    }
    expect(withPupils.length).toBeGreaterThan(0);
    const row = withPupils[0];
    expect(row.class_name).toMatch(/年级/);
    // a teacher who heads none of these classes reads the numbers masked (docs/privacy.md): shown, nothing to call
    expect(row.guardians[0]).toMatch(/ 1\d{2}\*{4}\d{4}$/);
    const contact = clubs.parseContact(row.guardians[0]);
    expect(contact.phone).toBe('');
    expect(contact.label).toMatch(/[\u4e00-\u9fa5]/);

    // 我的社团 shows those clubs and the first one's roster
    const page = await openPage('club-roster');
    expect(page.data.errorMessage).toBe('');
    expect(page.data.emptyMessage).toBe('');
    expect(page.data.clubs.map((c) => c.id)).toEqual(mine.map((c) => c.id));
    expect(page.data.enrolled).toHaveLength(mine[0].enrolled);
    expect(page.data.waiting).toHaveLength(mine[0].waitlisted);
    expect(wxImpl.toasts).toEqual([]);
  });

  test('lottery choices saved on one phone are read back on another, in rank order, and by the choices page', async () => {
    // the admin opens a lottery round now
    actAs('demo-admin', wxImpl);
    const now = Date.now();
    const created = await clubs.createRound(ctx.term.id, {
      name: '端到端摇号', mode: 'lottery', opens_at: new Date(now - 3600000).toISOString(),
      closes_at: new Date(now + 86400000).toISOString(), drop_deadline: null, max_per_child: 2, priority_first: true,
    });
    expect(created.is_open).toBe(true);

    // phone A: the guardian saves two choices, the second club in the catalogue first
    actAs('demo-guardian', wxImpl);
    const round = await clubs.getRound(created.id);
    expect(round).toEqual(expect.objectContaining({ id: created.id, term_id: ctx.term.id, mode: 'lottery', is_open: true }));
    expect(await clubs.savedChoices(round.id, ctx.child.id)).toEqual([]);
    const list = await clubs.listClubs(ctx.term.id, ctx.child.id);
    const picks = list.filter((c) => c.grades.indexOf(1) >= 0).slice(0, 2).map((c) => c.id).reverse();
    expect(picks).toHaveLength(2);
    const saved = await clubs.saveChoices(round.id, ctx.child.id, picks);
    expect(saved.map((c) => c.id)).toEqual(picks);

    // phone B: the same guardian, nothing stored on it
    const phoneB = createNodeWx();
    global.wx = phoneB;
    expect((await clubs.savedChoices(round.id, ctx.child.id)).map((c) => c.id)).toEqual(picks);
    const page = await openPage('club-choices', { round_id: String(round.id), student_id: String(ctx.child.id) });
    expect(page.data.errorMessage).toBe('');
    expect(page.data.editable).toBe(true);
    expect(page.data.choices.map((c) => c.id)).toEqual(picks);
    expect(page.data.savedText).toBe('已保存 2 个志愿');

    // reordered and saved on phone B; phone A reads the new order
    page.onMoveDown(event({ index: 0 }));
    expect(page.data.dirty).toBe(true);
    await page.onSave();
    expect(page.data.dirty).toBe(false);
    expect(phoneB.toasts.map((t) => t.title)).toEqual(['志愿已保存']);
    global.wx = wxImpl;
    expect((await clubs.savedChoices(round.id, ctx.child.id)).map((c) => c.id)).toEqual(picks.slice().reverse());
  });
});
