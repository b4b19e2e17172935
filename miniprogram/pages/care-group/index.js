/**
 * One care group (query: group_id, term_id optional): GET /care-groups/{id} — its warnings, the tutors of each
 * weekday with the children staying then, and its members (class, weekdays, placed by hand and why).
 *
 * For the school's admin (others read only):
 *   修改名称/教室    PATCH /care-groups/{id} {name?, room?} (a rebuild keeps both)
 *   调入学生         pick a group (or 未分班学生), then a child of it, and a reason → POST /care-groups/{id}/members;
 *                   the answer's warnings (another grade, over the size limit) are said; a rebuild never moves
 *                   the child again
 *   看护教师         per weekday: add one of those who offered that weekday (GET /terms/{id}/tutor-offers; who
 *                   is busy elsewhere or leads a club then — GET /terms/{id}/clubs — is named so), or remove one
 *                   (confirm) → PUT /care-groups/{id}/tutors with the whole rota; the server refuses
 *                   a teacher busy elsewhere or leading a club that day, with its message
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const caregroups = require('../../services/caregroups');
const clubs = require('../../services/clubs');
const { schoolsWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, oneAtATime, confirm, notice } = require('../../utils/page');

const ROTA_REFUSALS = ['TUTOR_BUSY', 'TUTOR_LEADS_CLUB', 'STAFF_INACTIVE', 'STAFF_NOT_FOUND', 'NOT_A_SERVICE_DAY'];
const MOVE_REFUSALS = ['CHILD_NOT_IN_CARE', 'MOVE_CONFLICT', 'STUDENT_NOT_FOUND'];
const MOVE_CLOSED = {
  moveOpen: false, sourceLabels: [], sourceIndex: -1, studentLabels: [], studentIndex: -1, moveReason: '',
  moveError: '', moving: false, sourcesLoading: false,
};
const INFO_CLOSED = { editingInfo: false, infoName: '', infoRoom: '', nameError: '', roomError: '', savingInfo: false };

function tutorView(t) {
  return { staffId: t.staff_id, name: t.name, byHand: t.placed_by === 'hand', active: t.active };
}

Page({
  data: {
    ...NOT_LOADED,
    isAdmin: false,
    group: null,
    warnings: [],
    days: [],
    roster: [],
    tutorBusy: 0,
    ...INFO_CLOSED,
    ...MOVE_CLOSED,
  },

  onLoad(query = {}) {
    this.groupId = Number(query.group_id) || 0;
    this.termId = Number(query.term_id) || 0;
    this.choices = {};
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => Promise.all([me(opts), caregroups.getGroup(this.groupId, opts)])
      .then(([profile, group]) => {
        const isAdmin = schoolsWithRole(profile, 'admin').length > 0;
        this.termId = this.termId || group.term_id;
        // who volunteered, and who leads a club which day: the admin's choice of tutors
        const extra = isAdmin
          ? Promise.all([caregroups.listOffers(this.termId, opts), clubs.listClubs(this.termId, null, opts)])
          : Promise.resolve([[], []]);
        return extra.then(([offers, termClubs]) => {
          if (!isLatest()) return;
          this.render(group, offers || [], termClubs || [], isAdmin);
        });
      }));
  },

  render(group, offers, termClubs, isAdmin) {
    this.group = group;
    this.choices = {};
    const days = (group.days || []).map((d) => {
      const choices = isAdmin ? caregroups.tutorChoices(offers, group, d.weekday, termClubs) : [];
      this.choices[d.weekday] = choices;
      return {
        ...caregroups.dayView(d),
        tutors: (d.tutors || []).map(tutorView),
        choiceLabels: choices.map((c) => c.label),
      };
    });
    const view = caregroups.groupView(group);
    if (wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: group.name });
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      isAdmin,
      group: {
        id: view.id,
        name: view.name,
        meta: [view.room, view.classesText, `${view.members} 人`].filter(Boolean).join(' · '),
      },
      warnings: view.warnings,
      days,
      roster: (group.roster || []).map(caregroups.memberView),
    });
  },

  // ---------- name and room ----------

  onEditInfo() {
    this.setData({ ...INFO_CLOSED, editingInfo: true, infoName: this.group.name, infoRoom: this.group.room || '' });
  },

  onCancelInfo() {
    this.setData(INFO_CLOSED);
  },

  onInfoName(e) {
    this.setData({ infoName: e.detail.value, nameError: '' });
  },

  onInfoRoom(e) {
    this.setData({ infoRoom: e.detail.value, roomError: '' });
  },

  onSaveInfo() {
    if (this.savingInfo) return Promise.resolve();
    const name = String(this.data.infoName || '').trim();
    const room = String(this.data.infoRoom || '').trim();
    if (!name) {
      this.setData({ nameError: '请填写临时班名称' });
      return Promise.resolve();
    }
    const changes = {};
    if (name !== this.group.name) changes.name = name;
    if (room !== (this.group.room || '')) changes.room = room;
    if (!Object.keys(changes).length) {
      this.setData(INFO_CLOSED);
      return Promise.resolve();
    }
    this.savingInfo = true;
    this.setData({ savingInfo: true });
    return caregroups.updateGroup(this.groupId, changes, { toast: false }).then(
      () => {
        this.setData(INFO_CLOSED);
        wx.showToast({ title: '已保存', icon: 'success' });
        return this.load();
      },
      (err) => {
        const fields = err.fields || {};
        if (fields.name || fields.room) this.setData({ nameError: fields.name || '', roomError: fields.room || '' });
        else if (err.code === 'GROUP_NAME_TAKEN') this.setData({ nameError: err.message });
        else showErrorToast(err);
      },
    ).then(() => {
      this.savingInfo = false;
      this.setData({ savingInfo: false });
    });
  },

  // ---------- tutors ----------

  /** Send the group's whole rota; the server's refusal (busy elsewhere, leads a club…) in a modal. */
  saveRota(weekday, rota, ask) {
    return oneAtATime(this, {
      flag: 'savingRota',
      busyKey: 'tutorBusy',
      id: weekday,
      ask,
      run: () => caregroups.setTutors(this.groupId, rota, { toast: false }).then(
        () => wx.showToast({ title: '已保存', icon: 'success' }),
        (err) => {
          if (ROTA_REFUSALS.indexOf(err.code) >= 0) notice('未能安排', err.message);
          else showErrorToast(err);
        },
      ),
    });
  },

  onAddTutor(e) {
    const weekday = Number(e.currentTarget.dataset.weekday);
    const choice = (this.choices[weekday] || [])[Number(e.detail.value)];
    if (!choice || !this.group) return Promise.resolve();
    const rota = caregroups.rotaOf(this.group).concat([{ staff_id: choice.staffId, weekday }]);
    return this.saveRota(weekday, rota);
  },

  onRemoveTutor(e) {
    const weekday = Number(e.currentTarget.dataset.weekday);
    const staffId = Number(e.currentTarget.dataset.staff);
    const day = this.data.days.find((d) => d.weekday === weekday);
    const tutor = day && day.tutors.find((t) => t.staffId === staffId);
    if (!tutor) return Promise.resolve();
    const rota = caregroups.rotaOf(this.group).filter((s) => !(s.weekday === weekday && s.staff_id === staffId));
    return this.saveRota(weekday, rota, () => confirm({
      title: '取消看护安排',
      content: `${day.label}不再由${tutor.name}看护「${this.group.name}」？`,
      confirmText: '取消安排',
      confirmColor: '#d64541',
      cancelText: '保留',
    }));
  },

  // ---------- moving a child here ----------

  /** 调入学生: where from — the children not in a group yet, or another group (read when opened). */
  onOpenMove() {
    this.setData({ ...MOVE_CLOSED, moveOpen: true, sourcesLoading: true });
    return caregroups.listGroups(this.termId, { toast: false }).then(
      (out) => {
        const unplaced = (out.warnings || []).filter((w) => w.code === 'NOT_PLACED' && w.student_id)
          .map((w) => ({ id: w.student_id, label: String(w.message).replace(/还没有分到看护班$/, '') }));
        this.sources = [];
        if (unplaced.length) this.sources.push({ label: `未分班学生（${unplaced.length} 人）`, students: unplaced });
        (out.groups || []).filter((g) => g.id !== this.groupId)
          .forEach((g) => this.sources.push({ label: `${g.name}（${g.members} 人）`, groupId: g.id }));
        this.setData({ sourcesLoading: false, sourceLabels: this.sources.map((s) => s.label) });
      },
      (err) => {
        this.setData({ sourcesLoading: false, moveError: err.message });
      },
    );
  },

  onCloseMove() {
    this.setData(MOVE_CLOSED);
  },

  onSource(e) {
    const index = Number(e.detail.value);
    const source = (this.sources || [])[index];
    if (!source) return Promise.resolve();
    this.students = [];
    this.setData({ sourceIndex: index, studentLabels: [], studentIndex: -1, moveError: '' });
    const students = source.students
      ? Promise.resolve(source.students)
      : caregroups.getGroup(source.groupId, { toast: false }).then((g) => (g.roster || [])
        .map((m) => ({ id: m.student_id, label: `${m.name}（${m.class_name}）` })));
    return students.then(
      (list) => {
        if (this.data.sourceIndex !== index) return;
        this.students = list;
        this.setData({ studentLabels: list.map((s) => s.label) });
      },
      (err) => this.setData({ moveError: err.message }),
    );
  },

  onStudent(e) {
    this.setData({ studentIndex: Number(e.detail.value), moveError: '' });
  },

  onMoveReason(e) {
    this.setData({ moveReason: e.detail.value, moveError: '' });
  },

  onMove() {
    if (this.moving) return Promise.resolve();
    const student = (this.students || [])[this.data.studentIndex];
    const reason = String(this.data.moveReason || '').trim();
    if (!student) {
      this.setData({ moveError: '请选择要调入的学生' });
      return Promise.resolve();
    }
    if (!reason) {
      this.setData({ moveError: '请填写调整原因，例如：与双胞胎姐姐同班看护' });
      return Promise.resolve();
    }
    this.moving = true;
    this.setData({ moving: true, moveError: '' });
    return caregroups.moveChild(this.groupId, { studentId: student.id, reason }, { toast: false }).then(
      (out) => {
        this.setData(MOVE_CLOSED);
        const warnings = (out && out.warnings) || [];
        if (warnings.length) notice('已调入，请注意', warnings.map((w) => w.message).join('\n'));
        else wx.showToast({ title: '已调入', icon: 'success' });
        return this.load();
      },
      (err) => {
        const fields = err.fields || {};
        if (fields.reason) this.setData({ moveError: fields.reason });
        else if (MOVE_REFUSALS.indexOf(err.code) >= 0) this.setData({ moveError: err.message });
        else showErrorToast(err);
      },
    ).then(() => {
      this.moving = false;
      this.setData({ moving: false });
    });
  },
});
