/**
 * 报告突发情况 (any staff; home → 报告突发情况, pages/incidents; query: session_id — from a session, its roster to
 * pick from and its room as the place): the form is IncidentIn —
 *   类型      受伤 / 身体不适 / 同学冲突 / 学生走失 / 财物 / 其他; 学生走失 shows a red banner: everyone on duty is
 *            told at once, and it needs the child named
 *   程度      轻微 / 一般 / 严重
 *   时间      today now by default (then the server's now is used); another time or an earlier day, not later than now
 *   地点      required
 *   学生      from a session's roster (the session's, or one of today's sessions picked here) or by a search
 *            (name, 学号, 拼音首字母; care staff only); chips, tap again to take one out
 *   经过 / 已采取措施   required
 * 提交 → POST /incidents with an Idempotency-Key kept across taps → the incident's page (pages/incident). The server's
 * `fields` show on their field; other refusals in a modal.
 */
const attendance = require('../../services/attendance');
const incidents = require('../../services/incidents');
const students = require('../../services/students');
const { shanghaiToday, shanghaiClock, shanghaiIso } = require('../../utils/format');
const { staffSchool } = require('../../utils/school-term');
const { hasRole } = require('../../utils/roles');
const { rosterKids, foundKids, chips, toggle } = require('../../utils/children');
const { NOT_LOADED, RELOADING, loadPage, keyKeeper, sendKept, notice } = require('../../utils/page');

// How far back an incident may be dated here (an incident is reported the day it happens, or the morning after).
const BACK_DAYS = 7;
const NO_ERRORS = { typeError: '', severityError: '', timeError: '', placeError: '', childrenError: '', descriptionError: '', actionsError: '', formError: '' };
const FIELD_ERRORS = {
  type: 'typeError', severity: 'severityError', at: 'timeError', place: 'placeError', student_ids: 'childrenError',
  description: 'descriptionError', actions_taken: 'actionsError',
};

Page({
  data: {
    ...NOT_LOADED,
    types: incidents.TYPES,
    severities: incidents.SEVERITIES,
    type: '',
    severity: '',
    date: '',
    minDate: '',
    today: '',
    time: '',
    maxTime: '',
    place: '',
    description: '',
    actionsTaken: '',
    picked: [],
    pickedChips: [],
    sessionName: '',
    sessionOptions: [],
    sessionIndex: -1,
    rosterChips: [],
    rosterError: '',
    canSearch: false,
    searchText: '',
    searching: false,
    searched: false,
    foundChips: [],
    ...NO_ERRORS,
    submitting: false,
  },

  onLoad(query = {}) {
    this.sessionId = Number(query.session_id) || 0;
    this.schoolId = Number(query.school_id) || 0;
    this.reportKey = keyKeeper();
    this.roster = [];
    this.found = [];
    this.timeChosen = false; // the time is "now" until someone picks one
    const today = shanghaiToday();
    this.setData({
      date: today, today, minDate: attendance.addDays(today, -BACK_DAYS), time: shanghaiClock(), maxTime: shanghaiClock(),
    });
  },

  ...RELOADING,

  /** The school, and a session's roster (the one given, else today's sessions to pick from); the form is kept. */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => staffSchool(this, {
      roles: incidents.REPORTER_ROLES,
      refusal: '只有学校的教职工可以报告突发情况',
    }).then(() => {
      const canSearch = hasRole(this.school, students.SEARCHER_ROLES);
      // the form matters more than the lists: without them it still goes (a search, or no child)
      const work = (this.sessionId
        ? attendance.roster(this.sessionId, opts).then((r) => this.useRoster(r))
        : this.todaySessions(canSearch, opts)
      ).then(() => this.setData({ rosterError: '' }), () => this.setData({ rosterError: '没能读取场次名单，可以下拉重试' }));
      return work.then(() => {
        if (!isLatest()) return;
        if (!this.timeChosen) this.setData({ time: shanghaiClock(), maxTime: shanghaiClock() });
        this.setData({ loading: false, loaded: true, errorMessage: '', canSearch });
        this.renderChips();
      });
    }));
  },

  /** Today's sessions of the school to pick a roster from (care staff only: a guard reports without one). */
  todaySessions(canRead, opts) {
    if (!canRead || this.sessionOptions) return Promise.resolve();
    return attendance.listSessions(null, opts).then((result) => {
      this.sessionOptions = (result.sessions || []).filter((s) => s.school_id === this.school.id);
      this.setData({ sessionOptions: this.sessionOptions.map((s) => `${s.name}（${s.room}）`) });
    });
  },

  useRoster(result) {
    this.roster = rosterKids(result.rows);
    const update = { sessionName: result.session.name };
    if (!this.data.place) update.place = result.session.room;
    this.setData(update);
    this.renderChips();
  },

  renderChips() {
    const ids = this.data.picked.map((k) => k.id);
    this.setData({
      pickedChips: chips(this.data.picked, ids),
      rosterChips: chips(this.roster, ids),
      foundChips: chips(this.found, ids),
    });
  },

  // ---------- the fields ----------

  onType(e) {
    this.setData({ type: e.currentTarget.dataset.key, typeError: '', childrenError: '', formError: '' });
  },

  onSeverity(e) {
    this.setData({ severity: e.currentTarget.dataset.key, severityError: '', formError: '' });
  },

  onDate(e) {
    this.timeChosen = true;
    const date = e.detail.value;
    const now = shanghaiClock();
    const update = { date, maxTime: date === this.data.today ? now : '23:59', timeError: '' };
    if (date === this.data.today && this.data.time > now) update.time = now;
    this.setData(update);
  },

  onTime(e) {
    this.timeChosen = true;
    this.setData({ time: e.detail.value, timeError: '' });
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    const errorKey = { place: 'placeError', description: 'descriptionError', actionsTaken: 'actionsError' }[field];
    this.setData({ [field]: e.detail.value, [errorKey]: '', formError: '' });
  },

  // ---------- the children ----------

  onPickSession(e) {
    const index = Number(e.detail.value);
    const session = (this.sessionOptions || [])[index];
    if (!session) return Promise.resolve();
    this.setData({ sessionIndex: index });
    return attendance.roster(session.id, { toast: false }).then(
      (result) => this.useRoster(result),
      (err) => wx.showToast({ title: err.message, icon: 'none' }),
    );
  },

  onToggleKid(e) {
    const id = e.detail.id;
    const kid = this.roster.concat(this.found, this.data.picked).find((k) => k.id === id);
    if (!kid) return;
    this.setData({ picked: toggle(this.data.picked, kid), childrenError: '' });
    this.renderChips();
  },

  onSearchInput(e) {
    this.setData({ searchText: e.detail.value });
  },

  onSearch() {
    const q = String(this.data.searchText || '').trim();
    if (!q || this.data.searching || !this.data.canSearch) return Promise.resolve();
    this.setData({ searching: true });
    return students.search(this.school.id, q, { toast: false }).then(
      (found) => {
        this.found = foundKids(found);
        this.setData({ searched: true });
        this.renderChips();
      },
      (err) => wx.showToast({ title: err.message, icon: 'none' }),
    ).then(() => this.setData({ searching: false }));
  },

  // ---------- sending ----------

  /** The local checks, as IncidentIn; → {body} or {errors}. */
  check() {
    const d = this.data;
    const errors = {};
    const place = String(d.place || '').trim();
    const description = String(d.description || '').trim();
    const actionsTaken = String(d.actionsTaken || '').trim();
    if (!d.type) errors.typeError = '请选择类型';
    if (!d.severity) errors.severityError = '请选择程度';
    if (!place) errors.placeError = '请填写地点';
    if (!description) errors.descriptionError = '请写下发生了什么';
    if (!actionsTaken) errors.actionsError = '请写下已采取的处理措施';
    if (d.type === incidents.MISSING_CHILD && !d.picked.length) errors.childrenError = '学生走失请选择走失的学生';
    const now = shanghaiClock();
    if (d.date > d.today || (d.date === d.today && d.time > now)) errors.timeError = '发生时间不能晚于现在';
    if (Object.keys(errors).length) return { errors };
    return {
      body: {
        type: d.type,
        severity: d.severity,
        // "now" is the server's now; a time picked is sent as school time
        at: this.timeChosen ? shanghaiIso(d.date, d.time) : '',
        place,
        studentIds: d.picked.map((k) => k.id),
        description,
        actionsTaken,
      },
    };
  },

  onSubmit() {
    if (this.data.submitting) return Promise.resolve();
    const { body, errors } = this.check();
    if (errors) {
      this.setData({ ...NO_ERRORS, ...errors });
      return Promise.resolve();
    }
    this.setData(NO_ERRORS);
    const schoolId = this.school.id;
    return sendKept(this, {
      keeper: this.reportKey,
      body,
      send: (key) => incidents.report(body, { schoolId }, { toast: false, idempotencyKey: key }),
      saved: (incident) => {
        const missing = incident.type === incidents.MISSING_CHILD;
        wx.showToast({ title: missing ? '已通知所有值班人员' : '已报告', icon: 'success' });
        wx.redirectTo({ url: `/pages/incident/index?id=${incident.id}` });
      },
      refused: (err) => {
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((f) => FIELD_ERRORS[f]);
        if (known.length) {
          const update = {};
          known.forEach((f) => { update[FIELD_ERRORS[f]] = fields[f]; });
          this.setData(update);
          return;
        }
        if (err.code === 'MISSING_CHILD_UNNAMED' || err.code === 'STUDENT_NOT_FOUND') {
          this.setData({ childrenError: err.message });
          return;
        }
        if (err.code === 'INCIDENT_IN_FUTURE') {
          this.setData({ timeError: err.message });
          return;
        }
        notice('没有报告', err.message);
      },
    });
  },
});
