/**
 * 放学交接 (class head; home → 放学交接; query: class_id, date — both optional: default the classes the account
 * heads, today). At dismissal the class head counts the children staying and hands them to the care teachers:
 * the list is the class's children in care that day, each with where they go (care group or club, room, start
 * time) and their leave. Tick who is here — everyone is ticked at first except children on leave (an early
 * pickup still comes, so stays ticked; a child on leave who stayed anyway can be ticked) — add notes, 确认交接.
 *
 * Expected children left unticked and without leave are flagged to their care teachers at once (the server does
 * it, today only); the page asks first, naming them. After confirming: who was handed over, who was missing and
 * when (and by whom) it was confirmed; confirming again replaces it (idempotent, so a retried tap is one record).
 * A day without service shows the calendar's reason. Reloads keep the ticks and notes not yet confirmed.
 */
const { me } = require('../../services/auth');
const attendance = require('../../services/attendance');
const { formatRecent, shanghaiToday } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, confirm, notice } = require('../../utils/page');

// The tag before a destination's name (请假 and 未分班 are the destination itself).
const DESTINATION_LABELS = { care_group: '看护班', club: '社团' };

function names(list) {
  return list.map((r) => r.name).join('、');
}

/** The children staying today, then those on leave (shown only when there are some). */
function sections(rows) {
  const onLeave = rows.filter((r) => !r.expected);
  const list = [{
    key: 'expected',
    title: '今天留校',
    rows: rows.filter((r) => r.expected),
    hint: '点孩子勾选或取消。没勾选、也没请假的孩子会作为「未到」提醒托管老师。',
    empty: '今天本班没有留校参加托管的孩子',
  }];
  if (onLeave.length) {
    list.push({ key: 'on-leave', title: '请假', rows: onLeave, hint: '请假的孩子如果仍留在学校，也可以勾选交接。', empty: '' });
  }
  return list;
}

Page({
  data: {
    ...NOT_LOADED,
    emptyMessage: '',
    classes: [],
    classId: 0,
    className: '',
    dateTitle: '',
    noService: '',
    sections: [],
    tickedCount: 0,
    notes: '',
    saved: null,
    busy: false,
  },

  onLoad(query = {}) {
    this.classId = Number(query.class_id) || 0;
    this.queryClassId = this.classId;
    this.date = /^\d{4}-\d{2}-\d{2}$/.test(query.date || '') ? query.date : shanghaiToday();
    this.drafts = {}; // class id → {ticked: {student_id: true}, notes} not confirmed yet
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => this.findClasses(opts).then((classes) => {
      if (!classes.length) {
        this.setData({ loading: false, loaded: true, errorMessage: '', emptyMessage: '您不是班主任，没有需要交接的班级', classes: [] });
        return null;
      }
      const current = classes.find((c) => c.id === this.classId) || classes[0];
      this.classId = current.id;
      return attendance.handover(current.id, this.date, opts).then((view) => {
        if (!isLatest() || view.class_id !== this.classId) return;
        this.setData({ classes, classId: current.id, emptyMessage: '' });
        this.show(view);
      });
    }));
  },

  /** The classes to hand over: ?class_id= (an admin may open any class), else those the account heads. */
  findClasses(opts) {
    if (this.myClasses) return Promise.resolve(this.myClasses);
    if (this.queryClassId) {
      this.myClasses = [{ id: this.queryClassId, name: '' }];
      return Promise.resolve(this.myClasses);
    }
    return me(opts).then((profile) => {
      const schools = (profile.schools || []).filter((s) => (s.roles || []).indexOf('class_head') >= 0 && s.staff_id);
      return Promise.all(schools.map((s) => attendance.headedClasses(s.id, s.staff_id, opts)));
    }).then((lists) => {
      this.myClasses = [].concat(...lists).map((c) => ({ id: c.id, name: c.name }));
      return this.myClasses;
    });
  },

  /** The server's handover, with this class's unconfirmed ticks and notes (or, fresh, the saved or default ones). */
  show(view, { fresh = false } = {}) {
    this.shown = view;
    const saved = view.handover;
    let draft = this.drafts[view.class_id];
    if (!draft || fresh) {
      draft = { ticked: {}, known: {}, notes: (saved && saved.notes) || '' };
      this.drafts[view.class_id] = draft;
    }
    // each child's first tick: as saved, else here unless on leave; a child who appears on a reload (a leave
    // cancelled, a late approval) gets one too, and the ticks the class head changed stay
    view.rows.forEach((r) => {
      if (draft.known[r.student_id]) return;
      draft.known[r.student_id] = true;
      if (saved ? r.present : (r.expected && !attendance.keepsAway(r.leave))) draft.ticked[r.student_id] = true;
    });
    const rows = view.rows.map((r) => this.rowView(r, draft));
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      className: view.class_name,
      dateTitle: attendance.dayTitle(view.day.date),
      noService: view.day.served ? '' : attendance.noServiceReason(view.day),
      sections: sections(rows),
      tickedCount: rows.filter((r) => r.ticked).length,
      notes: draft.notes,
      saved: saved ? this.savedView(view) : null,
    });
  },

  rowView(row, draft) {
    const leave = attendance.leaveFlag(row.leave);
    return {
      id: row.student_id,
      name: row.name,
      photo: attendance.photoSrc(row.photo_url),
      initial: attendance.initial(row.name),
      expected: row.expected,
      destinationKind: row.destination_kind,
      kindLabel: DESTINATION_LABELS[row.destination_kind] || '',
      // 一年级1班 · 一年级1班教室 15:40 (a child on leave goes nowhere: the leave flag says it)
      destination: row.destination_kind === 'leave' ? ''
        : [row.destination, [row.room, row.starts_at].filter(Boolean).join(' ')].filter(Boolean).join(' · '),
      leaveText: leave ? leave.text : '',
      leaveTone: leave ? leave.tone : '',
      ticked: Boolean(draft.ticked[row.student_id]),
      missing: row.missing,
    };
  },

  savedView(view) {
    const saved = view.handover;
    const byId = {};
    view.rows.forEach((r) => { byId[r.student_id] = r; });
    const missing = saved.missing_ids.map((id) => (byId[id] ? byId[id].name : `学生${id}`));
    return {
      presentCount: saved.present_ids.length,
      missingCount: missing.length,
      missingText: missing.join('、'),
      when: formatRecent(saved.confirmed_at),
      by: saved.confirmed_by,
      notes: saved.notes || '',
      // the server tells the care teachers only for today's handover
      flagged: view.day.date === shanghaiToday(),
    };
  },

  onSelectClass(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!id || id === this.classId) return Promise.resolve();
    this.classId = id;
    this.setData({ classId: id });
    return this.load();
  },

  onToggle(e) {
    const id = Number(e.currentTarget.dataset.id);
    const draft = this.drafts[this.classId];
    if (!draft || this.data.busy) return;
    if (draft.ticked[id]) delete draft.ticked[id];
    else draft.ticked[id] = true;
    this.show(this.shown);
  },

  onNotes(e) {
    const draft = this.drafts[this.classId];
    if (draft) draft.notes = e.detail.value;
    this.setData({ notes: e.detail.value });
  },

  onConfirm() {
    if (this.data.busy || !this.shown || !this.shown.day.served) return Promise.resolve();
    const view = this.shown;
    const draft = this.drafts[view.class_id];
    const presentIds = view.rows.filter((r) => draft.ticked[r.student_id]).map((r) => r.student_id);
    const missing = view.rows.filter((r) => r.expected && !draft.ticked[r.student_id] && !attendance.keepsAway(r.leave));
    this.setData({ busy: true });
    const ask = missing.length
      ? confirm({
        title: `${missing.length} 人未到`,
        content: `${names(missing)} 未到，也没有请假。${view.day.date === shanghaiToday() ? '确认后会立即提醒托管老师。' : ''}`,
        confirmText: '确认交接',
      })
      : Promise.resolve(true);
    return ask.then((ok) => {
      if (!ok) {
        this.setData({ busy: false });
        return undefined;
      }
      return attendance.confirmHandover(view.class_id, { date: view.day.date, presentIds, notes: draft.notes.trim() }, { toast: false })
        .then(
          (result) => {
            this.setData({ busy: false });
            this.show(result, { fresh: true });
            wx.showToast({ title: '已确认交接', icon: 'success' });
          },
          (err) => {
            this.setData({ busy: false });
            if (err.code === 'NETWORK_ERROR') wx.showToast({ title: `没有保存：${err.message}`, icon: 'none', duration: 3000 });
            else notice('交接没有保存', err.message);
            return this.load();
          },
        );
    });
  },
});
