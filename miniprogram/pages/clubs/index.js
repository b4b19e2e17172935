/**
 * 社团选课 for one child (query: student_id): the term's catalogue with live free seats, waitlists, why the
 * child may not choose a club, and the child's own status (已选上 / 候补第N位). Filters: category and
 * weekday (周一…周五: the clubs meeting that day), together.
 *
 *   first-come round open   选这个 → 选上 or 候补第N位 (the button is disabled while the request is in flight)
 *   lottery round open      填写志愿 → pages/club-choices
 *   no open round           the round schedule and 不在选课时间内
 *   a club the child holds  退选 / 退出候补, after a confirmation
 *
 * The server decides everything (window, grade, approval, clashes, per-child maximum, seats); the page
 * shows its answer and reloads. While a first-come round is open the catalogue refreshes itself every
 * AUTO_REFRESH_MS so 余位 stays current; a round opening soon triggers a reload at its opening time.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const clubs = require('../../services/clubs');
const terms = require('../../services/terms');
const { WEEKDAY_NAMES, formatTime, gradesText, parseTime } = require('../../utils/format');
const { childOf } = require('../../utils/roles');
const { NOT_LOADED, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');

const AUTO_REFRESH_MS = 30000;
// Reload when a round opens, if it opens within this long (抢课: the button appears at the opening second).
const OPENING_WATCH_MS = 2 * 3600 * 1000;
// Spread the reload at the opening second over this long so not every phone asks at once.
const OPENING_JITTER_MS = 1500;
// Refusals the guardian should read, not just glimpse in a toast.
const MODAL_CODES = ['SELECTION_CLOSED', 'CLUB_NOT_ALLOWED', 'DROP_CLOSED', 'ENROLLMENT_NOT_FOUND', 'CLUB_NOT_FOUND'];

function clubView(club, { positions, firstComeOpen, brokenCovers }) {
  const held = clubs.isHeld(club.my_status);
  const mayChoose = club.may_choose !== false;
  const full = club.free_seats <= 0;
  const cover = brokenCovers[club.id] ? '' : clubs.coverSrc(club.cover_url);
  return {
    id: club.id,
    name: club.name,
    category: club.category,
    weekdays: club.weekdays || [],
    categoryLabel: clubs.clubCategoryLabel(club),
    color: clubs.categoryColor(club.category),
    initial: (club.name || '社').charAt(0),
    coverUrl: cover,
    timeText: clubs.clubTime(club),
    venue: club.venue || '',
    teacher: club.teacher_name || '',
    gradesText: gradesText(club.grades),
    description: club.description || '',
    capacity: club.capacity,
    freeSeats: club.free_seats,
    full,
    waitlisted: club.waitlisted || 0,
    held,
    status: held ? club.my_status : '',
    statusText: held ? clubs.statusText(club.my_status, positions[club.id]) : '',
    // a held club's reason (if any) does not matter to the guardian
    reason: !held && !mayChoose ? club.reason || '暂不能选择' : '',
    canEnroll: firstComeOpen && !held && mayChoose,
    enrollLabel: full ? '排候补' : '选这个',
    dropLabel: club.my_status === 'waitlisted' ? '退出候补' : '退选',
  };
}

// School days, always in the weekday filter.
const SCHOOL_DAYS = [1, 2, 3, 4, 5];

/** The weekday filter: 全部, then 周一…周五 and any other day a club meets (a plan may serve a Saturday). */
function dayFiltersOf(list) {
  const days = SCHOOL_DAYS.slice();
  list.forEach((club) => (club.weekdays || []).forEach((day) => { if (days.indexOf(day) < 0) days.push(day); }));
  days.sort((a, b) => a - b);
  return [{ key: 0, label: '全部' }].concat(days.map((day) => ({ key: day, label: WEEKDAY_NAMES[day] })));
}

/** The clubs shown for a category ('all' or a key) and a weekday (0 = any). */
function visible(views, category, day) {
  return views.filter((c) => (category === 'all' || c.category === category)
    && (!day || c.weekdays.indexOf(day) >= 0));
}

/** The category filter: 全部, then the categories the catalogue has. */
function categoriesOf(list) {
  return [{ key: 'all', label: '全部' }].concat(clubs.groupByCategory(list).map(({ key, label }) => ({ key, label })));
}

Page({
  data: {
    ...NOT_LOADED,
    childName: '',
    childMeta: '',
    termName: '',
    categories: [],
    activeCategory: 'all',
    dayFilters: dayFiltersOf([]),
    activeDay: 0,
    // the clubs the filters leave (every club's view is this.views)
    visibleClubs: [],
    hasClubs: false,
    heldCount: 0,
    maxPerChild: 0,
    firstCome: null,
    lottery: null,
    schedule: [],
    closedMessage: '',
    busyId: 0,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    this.brokenCovers = {};
  },

  onShow() {
    // onShow: coming back from the choices page, or to a phone left on this page, shows fresh seats
    return this.load();
  },

  onHide() {
    this.clearTimer();
  },

  onUnload() {
    this.clearTimer();
  },

  onPullDownRefresh() {
    this.child = null;
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  /** The child (GET /me) and the term, once; then rounds, catalogue and the child's places. */
  load({ quiet = false } = {}) {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      const context = this.child && this.term
        ? Promise.resolve()
        : me(opts).then((profile) => {
          const child = childOf(profile, this.studentId);
          return terms.currentTerm(child.school_id, opts).then((term) => {
            this.child = child;
            this.term = term;
          });
        });
      return context
        .then(() => Promise.all([
          clubs.listRounds(this.term.id, opts),
          clubs.listClubs(this.term.id, this.child.id, opts),
          clubs.childClubs(this.child.id, opts),
        ]))
        .then(([rounds, list, places]) => {
          if (!isLatest()) return; // a newer load is under way; its answer wins
          this.rounds = rounds;
          this.list = list;
          this.places = places;
          this.render();
          this.scheduleRefresh();
        });
    }, { quiet });
  },

  render() {
    const state = clubs.roundsState(this.rounds);
    const clubIds = {};
    this.list.forEach((club) => { clubIds[club.id] = true; });
    const positions = {};
    // /students/{id}/clubs covers every term: count only this term's clubs
    const places = (this.places || []).filter((p) => clubIds[p.club_id]);
    places.forEach((p) => { positions[p.club_id] = p.position; });
    const views = this.list.map((club) => clubView(club, {
      positions,
      firstComeOpen: Boolean(state.firstCome),
      brokenCovers: this.brokenCovers,
    }));
    const categories = categoriesOf(this.list);
    const active = categories.some((c) => c.key === this.data.activeCategory) ? this.data.activeCategory : 'all';
    const dayFilters = dayFiltersOf(this.list);
    const activeDay = dayFilters.some((d) => d.key === this.data.activeDay) ? this.data.activeDay : 0;
    this.views = views;
    const openRound = state.firstCome || state.lottery;
    let closedMessage = '';
    if (!openRound) {
      closedMessage = state.next
        ? `现在不在选课时间内，${state.next.name}将于 ${formatTime(state.next.opens_at)} 开始`
        : '现在不在选课时间内';
    }
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      childName: this.child.name,
      childMeta: [this.child.class_name, this.child.school_name].filter(Boolean).join(' · '),
      termName: this.term.name,
      categories,
      activeCategory: active,
      dayFilters,
      activeDay,
      hasClubs: views.length > 0,
      visibleClubs: visible(views, active, activeDay),
      heldCount: places.length,
      maxPerChild: openRound ? openRound.max_per_child : 0,
      firstCome: state.firstCome ? {
        name: state.firstCome.name,
        closesAt: formatTime(state.firstCome.closes_at),
        dropDeadline: state.firstCome.drop_deadline ? formatTime(state.firstCome.drop_deadline) : '',
      } : null,
      lottery: state.lottery ? {
        id: state.lottery.id,
        name: state.lottery.name,
        closesAt: formatTime(state.lottery.closes_at),
      } : null,
      schedule: state.schedule,
      closedMessage,
    });
  },

  /** Keep 余位 current while a first-come round is open; reload when a round is about to open. */
  scheduleRefresh() {
    this.clearTimer();
    const state = clubs.roundsState(this.rounds);
    let delay = 0;
    if (state.firstCome) {
      delay = AUTO_REFRESH_MS;
    } else if (state.next) {
      const untilOpen = parseTime(state.next.opens_at) - Date.now();
      if (untilOpen > 0 && untilOpen <= OPENING_WATCH_MS) delay = untilOpen + Math.floor(Math.random() * OPENING_JITTER_MS);
    }
    if (delay > 0) this.timer = setTimeout(() => { this.timer = null; this.load({ quiet: true }); }, delay);
  },

  clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  },

  onRetry() {
    return this.load();
  },

  onFilter(e) {
    const key = e.currentTarget.dataset.key || 'all';
    this.setData({
      activeCategory: key,
      visibleClubs: visible(this.views || [], key, this.data.activeDay),
    });
  },

  onDayFilter(e) {
    const day = Number(e.currentTarget.dataset.day) || 0;
    this.setData({
      activeDay: day,
      visibleClubs: visible(this.views || [], this.data.activeCategory, day),
    });
  },

  onCoverError(e) {
    // an expired or missing picture: show the placeholder instead
    const id = Number(e.currentTarget.dataset.id);
    if (!id || this.brokenCovers[id]) return;
    this.brokenCovers[id] = true;
    if (this.list) this.render();
  },

  findClub(id) {
    return (this.views || []).find((c) => c.id === id);
  },

  /** 选这个: one request at a time; the answer is 选上 or 候补第N位, or the server's reason. */
  onEnroll(e) {
    const id = Number(e.currentTarget.dataset.id);
    const club = this.findClub(id);
    if (!club || !this.child) return Promise.resolve();
    const childName = this.child.name;
    // one request at a time (`this.busy`, set before any re-render): a double tap sends one
    return oneAtATime(this, {
      flag: 'busy',
      busyKey: 'busyId',
      id,
      run: () => clubs.enroll(id, this.child.id, { toast: false }).then((result) => {
        if (result.status === 'waitlisted') {
          const position = result.position;
          notice(position ? `候补第${position}位` : '已进入候补',
            `「${result.club_name}」名额已满，${childName}${position ? `排在候补第${position}位` : '已进入候补名单'}。`
            + '有同学退选时按顺序递补，递补成功会通知您。');
        } else {
          notice('选上了', `${childName}已选上「${result.club_name}」。`);
        }
      }, (err) => this.showRefusal(err, '未能选课')),
    });
  },

  /** 退选 / 退出候补, after a confirmation; the seat goes to the first on the waitlist. */
  onDrop(e) {
    const id = Number(e.currentTarget.dataset.id);
    const club = this.findClub(id);
    if (!club || !this.child) return Promise.resolve();
    const waiting = club.status === 'waitlisted';
    const childName = this.child.name;
    return oneAtATime(this, {
      flag: 'busy',
      busyKey: 'busyId',
      id,
      ask: () => confirm({
        title: waiting ? '退出候补' : '确认退选',
        content: waiting
          ? `确定让${childName}退出「${club.name}」的候补吗？再选需要重新排队。`
          : `确定让${childName}退出「${club.name}」吗？名额会让给候补的同学，再选需要重新排队。`,
        confirmText: waiting ? '退出候补' : '退选',
        confirmColor: '#d64541',
        cancelText: '再想想',
      }),
      run: () => clubs.drop(id, this.child.id, { toast: false }).then(() => {
        wx.showToast({ title: waiting ? '已退出候补' : '已退选', icon: 'success' });
      }, (err) => this.showRefusal(err, '未能退选')),
    });
  },

  showRefusal(err, title) {
    if (MODAL_CODES.indexOf(err.code) >= 0) notice(title, err.message);
    else showErrorToast(err);
  },

  goChoices() {
    const lottery = this.data.lottery;
    if (!lottery || !this.child) return;
    wx.navigateTo({ url: `/pages/club-choices/index?round_id=${lottery.id}&student_id=${this.child.id}` });
  },
});
