/**
 * 社团管理 (admin; query: school_id, optional — default the first school where the account is an admin):
 * the current term's clubs grouped by category with their fill (已选 / 名额, a bar, 候补 N), the totals at
 * the top, and the term's selection rounds.
 *
 *   a club             tap → pages/club-edit (?club_id=); 停开 → confirm → DELETE (records are kept)
 *   新建社团            pages/club-edit (?term_id=)
 *   新建选课轮次        the round form on this page: name, 先到先得 / 摇号, opens / closes (date + time,
 *                      Beijing time), optional drop deadline, max per child, priority groups first (lottery)
 *   a lottery round    that has closed and is not drawn: 摇号 → confirm → the recorded seed and each club's
 *                      admitted / waiting children; a drawn one: 查看结果
 *
 * onShow reloads, so coming back from the edit page shows the saved club.
 */
const { showErrorToast } = require('../../services/request');
const clubs = require('../../services/clubs');
const { formatTime, gradesText, parseTime, shanghaiIso, shanghaiToday } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');

const MAX_PER_CHILD_OPTIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
// Server field → the round form's error key.
const ROUND_FIELDS = ['name', 'mode', 'opens_at', 'closes_at', 'drop_deadline', 'max_per_child', 'priority_first'];

function clubView(club) {
  const enrolled = club.enrolled || 0;
  const short = club.min_to_open && enrolled < club.min_to_open ? club.min_to_open - enrolled : 0;
  return {
    id: club.id,
    name: club.name,
    whenWhere: clubs.clubWhenWhere(club),
    whoFor: `${club.teacher_name || '未指定教师'} · ${gradesText(club.grades)}`,
    enrolled,
    capacity: club.capacity,
    rate: clubs.fillRate(enrolled, club.capacity),
    full: club.free_seats <= 0,
    waitlisted: club.waitlisted || 0,
    minText: short ? `开班至少 ${club.min_to_open} 人，还差 ${short} 人` : '',
  };
}

/** Seats taken of seats offered, over some clubs: {enrolled, capacity, rate}. */
function fillOf(list) {
  const enrolled = list.reduce((sum, c) => sum + (c.enrolled || 0), 0);
  const capacity = list.reduce((sum, c) => sum + (c.capacity || 0), 0);
  return { enrolled, capacity, rate: clubs.fillRate(enrolled, capacity) };
}

/** The catalogue by category (services/clubs.js order), each with its count and fill. */
function groupsOf(list) {
  return clubs.groupByCategory(list).map((group) => ({
    key: group.key,
    label: group.label,
    color: group.color,
    count: group.clubs.length,
    ...fillOf(group.clubs),
    clubs: group.clubs.map(clubView),
  }));
}

function totalsOf(list) {
  const fill = fillOf(list);
  return {
    clubs: list.length,
    capacity: fill.capacity,
    enrolled: fill.enrolled,
    free: list.reduce((sum, c) => sum + Math.max(0, c.free_seats || 0), 0),
    waitlisted: list.reduce((sum, c) => sum + (c.waitlisted || 0), 0),
    rate: `${fill.rate}%`,
  };
}

function roundView(round, now) {
  const status = clubs.roundStatus(round, now);
  const modeLabel = clubs.MODE_LABELS[round.mode] || round.mode;
  return {
    id: round.id,
    name: round.name,
    mode: round.mode,
    modeLabel,
    window: `${formatTime(round.opens_at, true)} 至 ${formatTime(round.closes_at, true)}`,
    dropDeadline: round.drop_deadline ? formatTime(round.drop_deadline, true) : '',
    rulesText: [`每人最多 ${round.max_per_child} 个`,
      round.mode === 'lottery' ? (round.priority_first ? '优先保障群体先录' : '不设优先') : ''].filter(Boolean).join(' · '),
    state: status.key,
    stateLabel: status.label,
    canDraw: status.canDraw,
    drawn: status.key === 'drawn',
    seed: round.seed || '',
  };
}

function addDays(date, days) {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 24 * 3600 * 1000;
  return new Date(ms).toISOString().slice(0, 10);
}

function emptyRoundForm(now = Date.now()) {
  const opens = addDays(shanghaiToday(now), 1);
  const closes = addDays(opens, 7);
  return {
    name: '',
    mode: 'first_come',
    opensDate: opens,
    opensTime: '12:00',
    closesDate: closes,
    closesTime: '18:00',
    hasDropDeadline: false,
    dropDate: closes,
    dropTime: '18:00',
    maxIndex: 1, // 2 per child, the server's default
    priorityFirst: true,
  };
}

/** The round form → {payload} or {errors}; datetimes in Beijing time with the zone spelt out. */
function roundPayload(form) {
  const errors = {};
  const name = String(form.name || '').trim();
  if (!name) errors.name = '请填写轮次名称';
  const opensAt = shanghaiIso(form.opensDate, form.opensTime);
  const closesAt = shanghaiIso(form.closesDate, form.closesTime);
  if (!opensAt) errors.opens_at = '请选择开始时间';
  if (!closesAt) errors.closes_at = '请选择截止时间';
  else if (opensAt && Date.parse(closesAt) <= Date.parse(opensAt)) errors.closes_at = '截止时间须晚于开始时间';
  let dropDeadline = null;
  if (form.hasDropDeadline) {
    dropDeadline = shanghaiIso(form.dropDate, form.dropTime);
    if (!dropDeadline) errors.drop_deadline = '请选择退选截止时间';
    // as the server (RoundIn): not before the opening; at the opening itself means no dropping at all
    else if (opensAt && Date.parse(dropDeadline) < Date.parse(opensAt)) errors.drop_deadline = '退选截止不能早于开始时间';
  }
  if (Object.keys(errors).length) return { errors };
  return {
    payload: {
      name,
      mode: form.mode,
      opens_at: opensAt,
      closes_at: closesAt,
      drop_deadline: dropDeadline,
      max_per_child: MAX_PER_CHILD_OPTIONS[form.maxIndex] || 2,
      // only a lottery orders by priority groups; a first-come round records that it did not
      priority_first: form.mode === 'lottery' ? Boolean(form.priorityFirst) : false,
    },
  };
}

function resultView(result, roundName) {
  const rows = (result.clubs || []).map((c) => ({
    id: c.club_id,
    name: c.name,
    enrolledCount: (c.enrolled || []).length,
    waitlistedCount: (c.waitlisted || []).length,
    enrolledText: (c.enrolled || []).join('、'),
    waitlistedText: (c.waitlisted || []).join('、'),
  }));
  const withEntries = rows.filter((r) => r.enrolledCount || r.waitlistedCount);
  return {
    roundId: result.round_id,
    roundName,
    seed: result.seed,
    clubs: withEntries,
    admitted: withEntries.reduce((sum, r) => sum + r.enrolledCount, 0),
    waiting: withEntries.reduce((sum, r) => sum + r.waitlistedCount, 0),
    emptyCount: rows.length - withEntries.length,
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    totals: null,
    groups: [],
    rounds: [],
    closingId: 0,
    roundForm: null,
    roundErrors: {},
    roundFormError: '',
    savingRound: false,
    maxOptions: MAX_PER_CHILD_OPTIONS,
    drawingId: 0,
    result: null,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
  },

  ...RELOADING,

  /** My admin school and its current term (once), then the term's clubs and rounds. */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => schoolTerm(this, { roles: 'admin', refusal: '仅教导处管理员可以管理社团' }, opts)
      .then(() => Promise.all([clubs.listClubs(this.term.id, null, opts), clubs.listRounds(this.term.id, opts)]))
      .then(([list, rounds]) => {
        if (!isLatest()) return;
        this.list = list || [];
        this.roundList = rounds || [];
        this.render();
      }));
  },

  render() {
    const now = Date.now();
    const rounds = this.roundList.slice()
      .sort((a, b) => parseTime(a.opens_at) - parseTime(b.opens_at))
      .map((r) => roundView(r, now));
    this.setData({
      ...schoolTermLoaded(this),
      totals: totalsOf(this.list),
      groups: groupsOf(this.list),
      rounds,
    });
  },

  // ---------- clubs ----------

  onOpenClub(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!id) return;
    wx.navigateTo({ url: `/pages/club-edit/index?club_id=${id}&school_id=${this.school.id}` });
  },

  onNewClub() {
    if (!this.term) return;
    wx.navigateTo({ url: `/pages/club-edit/index?term_id=${this.term.id}&school_id=${this.school.id}` });
  },

  /** 停开, after a confirmation naming the children already in it. */
  onCloseClub(e) {
    const id = Number(e.currentTarget.dataset.id);
    const club = (this.list || []).find((c) => c.id === id);
    if (!club) return Promise.resolve();
    const held = (club.enrolled || 0) + (club.waitlisted || 0);
    return oneAtATime(this, {
      flag: 'closing',
      busyKey: 'closingId',
      id,
      ask: () => confirm({
        title: '停开社团',
        content: held
          ? `确定停开「${club.name}」吗？停开后家长不能再选这个社团；已选上 ${club.enrolled} 人、候补 ${club.waitlisted || 0} 人的记录会保留，请另行通知家长。`
          : `确定停开「${club.name}」吗？停开后家长不能再选这个社团。`,
        confirmText: '停开',
        confirmColor: '#d64541',
        cancelText: '取消',
      }),
      run: () => clubs.closeClub(id, { toast: false }).then(() => {
        wx.showToast({ title: '已停开', icon: 'success' });
      }, (err) => showErrorToast(err)),
    });
  },

  // ---------- rounds ----------

  onNewRound() {
    this.setData({ roundForm: emptyRoundForm(), roundErrors: {}, roundFormError: '' });
  },

  onCancelRound() {
    this.setData({ roundForm: null, roundErrors: {}, roundFormError: '' });
  },

  setRoundField(key, value, errorKey) {
    const update = { [`roundForm.${key}`]: value, roundFormError: '' };
    if (errorKey) update[`roundErrors.${errorKey}`] = '';
    this.setData(update);
  },

  onRoundName(e) {
    this.setRoundField('name', e.detail.value, 'name');
  },

  onRoundMode(e) {
    this.setRoundField('mode', e.currentTarget.dataset.mode === 'lottery' ? 'lottery' : 'first_come', 'mode');
  },

  onRoundPicker(e) {
    // data-key: opensDate / opensTime / closesDate / closesTime / dropDate / dropTime
    const key = e.currentTarget.dataset.key;
    const errorKey = { opens: 'opens_at', closes: 'closes_at', drop: 'drop_deadline' }[key.replace(/(Date|Time)$/, '')];
    this.setRoundField(key, e.detail.value, errorKey);
    // moving the opening can fix (or break) the closing and drop-deadline errors: check again on submit
    if (errorKey === 'opens_at') this.setData({ 'roundErrors.closes_at': '', 'roundErrors.drop_deadline': '' });
  },

  onRoundDropToggle(e) {
    this.setRoundField('hasDropDeadline', Boolean(e.detail.value), 'drop_deadline');
  },

  onRoundMax(e) {
    this.setRoundField('maxIndex', Number(e.detail.value) || 0, 'max_per_child');
  },

  onRoundPriority(e) {
    this.setRoundField('priorityFirst', Boolean(e.detail.value), 'priority_first');
  },

  onSubmitRound() {
    const form = this.data.roundForm;
    if (!form || this.savingRound) return Promise.resolve();
    const { payload, errors } = roundPayload(form);
    if (errors) {
      this.setData({ roundErrors: errors, roundFormError: '请按提示修改' });
      return Promise.resolve();
    }
    this.savingRound = true;
    this.setData({ savingRound: true, roundErrors: {}, roundFormError: '' });
    return clubs.createRound(this.term.id, payload, { toast: false })
      .then(() => {
        this.setData({ roundForm: null });
        wx.showToast({ title: '已新建轮次', icon: 'success' });
        return this.load();
      }, (err) => {
        const fields = err.fields || {};
        const roundErrors = {};
        Object.keys(fields).forEach((key) => {
          const base = key.split('.')[0];
          if (ROUND_FIELDS.indexOf(base) >= 0 && !roundErrors[base]) roundErrors[base] = fields[key];
        });
        const known = Object.keys(roundErrors).length > 0;
        this.setData({ roundErrors, roundFormError: known ? '请按提示修改' : err.message || '未能新建，请稍后再试' });
        if (!known) showErrorToast(err);
      })
      .then(() => {
        this.savingRound = false;
        this.setData({ savingRound: false });
      });
  },

  // ---------- the lottery ----------

  /** 摇号: confirm; the server records the seed and tells every guardian the result. */
  onDraw(e) {
    const id = Number(e.currentTarget.dataset.id);
    const round = this.data.rounds.find((r) => r.id === id);
    if (!round || !round.canDraw) return Promise.resolve();
    // the reload afterwards shows the seats and the round's state the draw changed
    return oneAtATime(this, {
      flag: 'drawing',
      busyKey: 'drawingId',
      id,
      ask: () => confirm({
        title: '摇号',
        content: `确定为「${round.name}」摇号吗？摇号结果会立即通知家长，且不能重新摇号。随机种子会记录在案，可复核。`,
        confirmText: '摇号',
        cancelText: '取消',
      }),
      run: () => clubs.drawLottery(id, null, { toast: false }).then((result) => {
        this.setData({ result: resultView(result, round.name) });
        wx.showToast({ title: '摇号完成', icon: 'success' });
      }, (err) => {
        if (['LOTTERY_DRAWN', 'LOTTERY_TOO_EARLY', 'NOT_A_LOTTERY'].indexOf(err.code) >= 0) notice('未能摇号', err.message);
        else showErrorToast(err);
      }),
    });
  },

  onShowResult(e) {
    const id = Number(e.currentTarget.dataset.id);
    const round = this.data.rounds.find((r) => r.id === id);
    if (!round) return Promise.resolve();
    return clubs.lotteryResults(id, { toast: false }).then(
      (result) => this.setData({ result: resultView(result, round.name) }),
      (err) => showErrorToast(err),
    );
  },

  onCloseResult() {
    this.setData({ result: null });
  },
});
