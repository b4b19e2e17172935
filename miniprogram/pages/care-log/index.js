/**
 * 看护记录 (query: session_id; from pages/session-roster's 看护记录 and pages/sessions): what the children of a session
 * did, notes on individual children, and anything unusual. Written by the session's teachers (or an admin); the
 * others (the duty leader, a class head) read it.
 *
 *   活动      作业辅导 / 阅读 / 活动 / 社团 / 其他, chips, at least one
 *   概况      required
 *   个别情况  children picked from the session's roster (GET /sessions/{id}/roster), a note for each
 *   异常情况  optional
 * 保存 → PUT /sessions/{id}/care-log with an Idempotency-Key kept across taps; every save is a new version and the old
 * ones stay: the form begins at the current version (an amendment), and the history lists them all, newest first.
 * Another teacher saving first (409 CARE_LOG_CHANGED) is said, the history read again and the form kept.
 * A day still to come, or someone not teaching the session, gets the log to read only.
 */
const attendance = require('../../services/attendance');
const carelogs = require('../../services/carelogs');
const { me } = require('../../services/auth');
const { shanghaiToday } = require('../../utils/format');
const { rosterKids, chips, toggle } = require('../../utils/children');
const { hasRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, keyKeeper, sendKept, notice } = require('../../utils/page');

const NO_ERRORS = { activitiesError: '', summaryError: '', notesError: '', unusualError: '', formError: '' };
const FIELD_ERRORS = { activities: 'activitiesError', summary: 'summaryError', child_notes: 'notesError', unusual: 'unusualError' };

Page({
  data: {
    ...NOT_LOADED,
    session: null,
    canWrite: false,
    readOnlyHint: '',
    activities: [],
    form: { activities: [], summary: '', notes: [], unusual: '' },
    picking: false,
    rosterChips: [],
    current: null,
    versions: [],
    ...NO_ERRORS,
    submitting: false,
    maxSummary: carelogs.MAX_SUMMARY,
    maxNote: carelogs.MAX_NOTE,
  },

  onLoad(query = {}) {
    this.sessionId = Number(query.session_id) || 0;
    this.saveKey = keyKeeper();
    this.filled = false; // the form holds a version (or what is being typed): a reload leaves it
    this.kids = [];
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      if (!this.sessionId) throw new Error('未找到该场次，请从今日托管进入');
      return Promise.all([
        attendance.roster(this.sessionId, opts),
        carelogs.careLog(this.sessionId, opts),
        this.profile ? this.profile : me(opts),
      ]).then(([roster, history, profile]) => {
        if (!isLatest()) return;
        this.profile = profile;
        this.kids = rosterKids(roster.rows);
        const s = roster.session;
        this.setData({
          loading: false,
          loaded: true,
          errorMessage: '',
          session: {
            name: s.name,
            line: `${attendance.dayTitle(s.date)} · ${attendance.timeRange(s.starts_at, s.ends_at)} · ${s.room}`,
            teachersText: s.teachers.map((t) => t.name).join('、') || '未安排老师',
          },
          ...this.access(s),
        });
        this.showHistory(history, { refill: !this.filled });
      });
    });
  },

  /** Who may write: the session's teachers and the school's admins, and not before the day. */
  access(session) {
    const school = ((this.profile && this.profile.schools) || []).find((x) => x.id === session.school_id);
    const admin = hasRole(school, carelogs.WRITER_ROLES);
    if (!session.serving && !admin) return { canWrite: false, readOnlyHint: '只有本场次的老师可以写看护记录，您可以查看' };
    if (session.date > shanghaiToday()) return { canWrite: false, readOnlyHint: '还没到这一天，不能写看护记录' };
    return { canWrite: true, readOnlyHint: '' };
  },

  /** The history (newest first) and, when `refill`, the form from the current version. */
  showHistory(history, { refill }) {
    const versions = (history.versions || []).slice().reverse().map(carelogs.versionView);
    const update = { versions, current: versions[0] || null };
    if (refill) {
      this.filled = true;
      update.form = carelogs.formFrom(history.current);
    }
    this.setData(update);
    this.renderChoices();
  },

  /** The activity chips and the roster's chips from the form. */
  renderChoices() {
    const form = this.data.form;
    this.setData({
      activities: carelogs.ACTIVITIES.map((a) => ({ ...a, on: form.activities.indexOf(a.key) >= 0 })),
      rosterChips: chips(this.kids, form.notes.map((n) => n.id)),
    });
  },

  onActivity(e) {
    const key = e.currentTarget.dataset.key;
    const list = this.data.form.activities;
    const activities = list.indexOf(key) >= 0 ? list.filter((k) => k !== key) : list.concat([key]);
    this.setData({ 'form.activities': activities, activitiesError: '', formError: '' });
    this.renderChoices();
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: e.detail.value, [`${field}Error`]: '', formError: '' });
  },

  onPickKids() {
    this.setData({ picking: !this.data.picking });
  },

  /** A child from the roster added to (or taken out of) 个别情况. */
  onToggleKid(e) {
    const kid = this.kids.find((k) => k.id === e.detail.id);
    if (!kid) return;
    const existing = this.data.form.notes.find((n) => n.id === kid.id);
    const notes = toggle(this.data.form.notes, existing || { id: kid.id, name: kid.name, note: '' });
    this.setData({ 'form.notes': notes, notesError: '' });
    this.renderChoices();
  },

  onNoteInput(e) {
    const id = Number(e.currentTarget.dataset.id);
    const notes = this.data.form.notes.map((n) => (n.id === id ? { ...n, note: e.detail.value } : n));
    this.setData({ 'form.notes': notes, notesError: '' });
  },

  onRemoveNote(e) {
    const id = Number(e.currentTarget.dataset.id);
    this.setData({ 'form.notes': this.data.form.notes.filter((n) => n.id !== id), notesError: '' });
    this.renderChoices();
  },

  onSave() {
    if (!this.data.canWrite || this.data.submitting) return Promise.resolve();
    const { payload, errors } = carelogs.checkCareLog(this.data.form);
    if (errors) {
      const update = { ...NO_ERRORS };
      Object.keys(errors).forEach((k) => { update[`${k}Error`] = errors[k]; });
      this.setData(update);
      return Promise.resolve();
    }
    this.setData(NO_ERRORS);
    return sendKept(this, {
      keeper: this.saveKey,
      body: payload,
      send: (key) => carelogs.saveCareLog(this.sessionId, payload, { toast: false, idempotencyKey: key }),
      saved: (history) => {
        this.setData({ picking: false });
        this.showHistory(history, { refill: true });
        wx.showToast({ title: `已保存（第 ${history.current.version} 版）`, icon: 'success' });
      },
      refused: (err) => {
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((f) => FIELD_ERRORS[f]);
        if (known.length) {
          const update = {};
          known.forEach((f) => { update[FIELD_ERRORS[f]] = fields[f]; });
          this.setData(update);
          return undefined;
        }
        notice('没有保存', err.message);
        // another teacher saved first: their version in the history, this form kept to save on top of it
        return err.code === 'CARE_LOG_CHANGED' ? this.load() : undefined;
      },
    });
  },
});
