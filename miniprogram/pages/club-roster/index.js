/**
 * 我的社团 (teacher): the clubs I lead this term and each club's roster — the children who are in
 * (已选上), then the waitlist in order (候补第N位) — with class and guardians; tap a phone number to call.
 *
 * For every school where I teach (GET /me → schools[] with role teacher or admin) the page asks
 * GET /terms/{current term}/my-clubs, then GET /clubs/{id}/roster for the club on screen (cached until
 * the next refresh).
 */
const { isDialable } = require('../../utils/phone');
const { me } = require('../../services/auth');
const clubs = require('../../services/clubs');
const terms = require('../../services/terms');
const { gradesText } = require('../../utils/format');
const { NOT_LOADED, loadPage } = require('../../utils/page');
const { schoolsWithRole } = require('../../utils/roles');

// The roles GET /terms/{id}/my-clubs and the rosters answer to.
const LEADING_ROLES = ['teacher', 'admin'];

function clubView(club, school, multiSchool) {
  return {
    id: club.id,
    name: club.name,
    tabName: multiSchool ? `${club.name}（${school.name}）` : club.name,
    schoolName: school.name,
    categoryLabel: clubs.clubCategoryLabel(club),
    whenWhere: clubs.clubWhenWhere(club),
    gradesText: gradesText(club.grades),
    capacity: club.capacity,
    enrolled: club.enrolled,
    waitlisted: club.waitlisted || 0,
  };
}

function rowView(row, index) {
  return {
    key: `${row.student_id}`,
    number: index + 1,
    name: row.student_name,
    className: row.class_name,
    position: row.position,
    contacts: (row.guardians || []).map((text, i) => ({ key: i, ...clubs.parseContact(text) })),
  };
}

function rosterView(rows) {
  const enrolled = rows.filter((r) => r.status === 'enrolled');
  // the API sorts the waitlist by class; the teacher needs it in the order children move up
  const waiting = rows.filter((r) => r.status === 'waitlisted')
    .slice()
    .sort((a, b) => (a.position || Infinity) - (b.position || Infinity));
  return {
    enrolled: enrolled.map(rowView),
    waiting: waiting.map(rowView),
  };
}

Page({
  data: {
    ...NOT_LOADED,
    emptyMessage: '',
    clubs: [],
    selectedId: 0,
    club: null,
    rosterLoading: false,
    rosterError: '',
    enrolled: [],
    waiting: [],
  },

  onLoad() {
    this.rosters = {};
    return this.load();
  },

  onPullDownRefresh() {
    this.rosters = {};
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  /** The schools I teach at → each one's current term → the clubs I lead there → the selected club's roster. */
  load() {
    const opts = { toast: false };
    return loadPage(this, () => me(opts)
      .then((profile) => {
        const staffSchools = (profile.schools || []).filter((s) => s.staff_id);
        const teaching = schoolsWithRole(profile, LEADING_ROLES);
        const multiSchool = teaching.length > 1;
        return Promise.all(teaching.map((school) => terms.currentTerm(school.id, opts)
          .then((term) => clubs.myClubs(term.id, opts))
          .then((list) => (list || []).map((club) => clubView(club, school, multiSchool)))
          .catch((err) => {
            if (err.code === 'NO_TERM') return [];
            throw err;
          })))
          .then((lists) => ({ lists, isStaff: staffSchools.length > 0 }));
      })
      .then(({ lists, isStaff }) => {
        const mine = [].concat(...lists);
        const keep = mine.find((c) => c.id === this.data.selectedId);
        const selected = keep || mine[0] || null;
        let emptyMessage = '';
        if (!isStaff) emptyMessage = '只有学校教职工可以查看社团名单';
        else if (!mine.length) emptyMessage = '本学期您没有指导的社团';
        this.setData({
          loading: false,
          loaded: true,
          errorMessage: '',
          emptyMessage,
          clubs: mine,
          selectedId: selected ? selected.id : 0,
          club: selected,
        });
        return selected ? this.showRoster(selected.id) : null;
      }));
  },

  showRoster(clubId) {
    const cached = this.rosters[clubId];
    if (cached) {
      this.setData({ ...rosterView(cached), rosterLoading: false, rosterError: '' });
      return Promise.resolve();
    }
    this.setData({ rosterLoading: true, rosterError: '', enrolled: [], waiting: [] });
    return clubs.roster(clubId, { toast: false }).then(
      (rows) => {
        this.rosters[clubId] = rows || [];
        if (this.data.selectedId !== clubId) return; // the teacher moved on to another club
        this.setData({ ...rosterView(this.rosters[clubId]), rosterLoading: false });
      },
      (err) => {
        if (this.data.selectedId !== clubId) return;
        this.setData({ rosterLoading: false, rosterError: err.message || '名单加载失败' });
      },
    );
  },

  onSelect(e) {
    const id = Number(e.currentTarget.dataset.id);
    const club = this.data.clubs.find((c) => c.id === id);
    if (!club || id === this.data.selectedId) return Promise.resolve();
    this.setData({ selectedId: id, club });
    return this.showRoster(id);
  },

  onRetry() {
    return this.load();
  },

  onRetryRoster() {
    return this.data.selectedId ? this.showRoster(this.data.selectedId) : Promise.resolve();
  },

  onCall(e) {
    const phone = e.currentTarget.dataset.phone;
    if (!isDialable(phone)) return; // masked for a teacher who is not the class head: shown, not called
    wx.makePhoneCall({
      phoneNumber: String(phone),
      fail: () => {
        // cancelled by the teacher, or calls unsupported (PC WeChat): nothing to do
      },
    });
  },
});
