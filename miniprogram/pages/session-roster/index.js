/**
 * 点名 (query: session_id): a session's roster with photos (a placeholder with the name's first character when
 * there is none), class and flags — 请假 / 待批请假 / 提前接走 16:30 / 在社团：书法 / 应在：X / 交接时未到 /
 * 已提醒缺席 — and each child's mark.
 *
 * Marking, made for a teacher with thirty children at the door:
 *   - tap a child with no mark → 已到. One tap, because nearly every mark is 已到.
 *   - tap a marked child → an action sheet: 已到 / 迟到 / 缺席 / 请假 / 撤销点名. Corrections are rare and must be
 *     deliberate: cycling on repeated taps would turn a hurried double tap into 迟到, and the teacher would have to
 *     count taps to reach 缺席; the sheet names each choice and costs one more tap only when correcting.
 *   - 全部到齐: every expected child with no mark and not on leave (an early pickup is not leave: that child
 *     comes) → 已到, in one PUT, after a confirm.
 *   - 撤销 (the bar at the bottom, for the last saved change): puts back the marks it replaced — `unmarked` for a
 *     child who had none — in one PUT.
 * A mark shows at once and is sent in order, one PUT at a time (idempotent: a retry after a dropped signal reuses
 * its Idempotency-Key). A refusal (CHILD_EXPECTED_ELSEWHERE "…今天应在「舞蹈」社团", CHILD_NOT_IN_CARE…) puts the
 * child back as the server has them and shows the server's message; any failure reloads the roster.
 *
 * Read-only: a class head who does not serve the session (the server shows them their own class's children),
 * and a day still to come (the server takes no marks for it). Pull-down, coming back and 重新加载 reload.
 * 看护记录 → pages/care-log (the session's care log), 报告突发情况 → pages/incident-report with this session's roster.
 */
const { me } = require('../../services/auth');
const attendance = require('../../services/attendance');
const { shanghaiToday } = require('../../utils/format');
const { hasRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage, confirm, notice } = require('../../utils/page');

// Refusals to read, not to miss in a toast: the roll call was not saved, and why.
const REFUSALS_TITLE = '没有保存';
const SHEET_ITEMS = attendance.MARKS.concat([{ status: attendance.UNMARKED, label: '撤销点名' }]);
const SCHOOL_WIDE = ['admin', 'duty_leader'];

/** The roster in three parts: expected here (or only those still awaited), on leave, and elsewhere today. */
function sections(shown, rows, onlyWaiting) {
  const onLeave = rows.filter((r) => !r.expected && r.leave);
  const others = rows.filter((r) => !r.expected && !r.leave);
  const list = [{
    key: 'expected',
    title: onlyWaiting ? '未到' : '应到',
    count: shown.length,
    rows: shown,
    empty: onlyWaiting ? '都到齐了' : '今天没有应到本场次的孩子',
  }];
  if (onLeave.length) list.push({ key: 'on-leave', title: '请假', count: onLeave.length, rows: onLeave, empty: '' });
  if (others.length) list.push({ key: 'others', title: '今天不在本场次', count: others.length, rows: others, empty: '' });
  return list;
}

Page({
  data: {
    ...NOT_LOADED,
    session: null,
    canMark: false,
    readOnlyHint: '',
    sections: [],
    counts: { expected: 0, arrived: 0, waiting: 0, leave: 0 },
    onlyWaiting: false,
    allCount: 0,
    allBusy: false,
    undo: null,
    undoBusy: false,
  },

  onLoad(query = {}) {
    this.sessionId = Number(query.session_id) || 0;
    this.pending = {}; // student_id → {status, op}: marks shown before the server has them
    this.queue = Promise.resolve();
    this.ops = 0; // each change sent gets a number, so its answer clears only its own pending marks
    this.settled = 0; // changes answered: a roster read begun before the latest answer is older than it
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    const settledBefore = this.settled;
    return loadPage(this, (isLatest) => {
      if (!this.sessionId) throw new Error('未找到该场次，请从今日托管进入');
      return Promise.all([attendance.roster(this.sessionId, opts), this.profile ? this.profile : me(opts)])
        .then(([result, profile]) => {
          this.profile = profile;
          // a mark answered meanwhile brought a fresher roster than this read
          if (!isLatest() || this.settled !== settledBefore) return;
          this.show(result);
        });
    });
  },

  /** Who may mark here: the session's teachers, the school's admins and duty leaders; and not before the day. */
  access(session) {
    const school = ((this.profile && this.profile.schools) || []).find((s) => s.id === session.school_id);
    const schoolWide = hasRole(school, SCHOOL_WIDE);
    if (!session.serving && !schoolWide) return { canMark: false, readOnlyHint: '您不是本场次的老师，只能查看本班的孩子' };
    if (session.date > shanghaiToday()) return { canMark: false, readOnlyHint: '还没到这一天，只能查看名单，不能点名' };
    return { canMark: true, readOnlyHint: '' };
  },

  show(result) {
    if (result) {
      if (!this.roster || this.roster.session.name !== result.session.name) {
        wx.setNavigationBarTitle({ title: `点名 · ${result.session.name}` });
      }
      this.roster = result;
    }
    const s = this.roster.session;
    const rows = this.roster.rows.map((row) => this.rowView(row));
    const expected = rows.filter((r) => r.expected);
    const waiting = expected.filter((r) => !r.arrived && !r.away);
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      session: {
        name: s.name,
        kindLabel: s.kind_label,
        kind: s.kind,
        room: s.room,
        dateTitle: attendance.dayTitle(s.date),
        time: attendance.timeRange(s.starts_at, s.ends_at),
        teachersText: s.teachers.map((t) => t.name).join('、') || '未安排老师',
      },
      ...this.access(s),
      sections: sections(this.data.onlyWaiting ? waiting : expected, rows, this.data.onlyWaiting),
      counts: {
        expected: expected.length,
        arrived: expected.filter((r) => r.arrived).length,
        waiting: waiting.length,
        leave: rows.filter((r) => r.away).length,
      },
      allCount: this.allTargets().length,
    });
  },

  /** The mark on screen (null: none): one sent and not answered yet, else the server's. */
  markOf(row) {
    const mine = this.pending[row.student_id];
    const status = mine ? mine.status : row.status;
    return status && status !== attendance.UNMARKED ? status : null;
  },

  rowView(row) {
    const pending = Boolean(this.pending[row.student_id]);
    const status = this.markOf(row);
    return {
      id: row.student_id,
      name: row.name,
      className: row.class_name,
      photo: attendance.photoSrc(row.photo_url),
      initial: attendance.initial(row.name),
      expected: row.expected,
      leave: Boolean(row.leave),
      away: attendance.keepsAway(row.leave),
      flags: attendance.rosterFlags(row, status),
      status: status || 'none',
      arrived: attendance.isArrived(status),
      // a mark on its way has no server time yet
      markText: attendance.markText(status, pending ? null : row.arrived_at),
      saving: pending,
    };
  },

  rowOf(id) {
    return this.roster.rows.find((r) => r.student_id === id);
  },

  /** 全部到齐's children: expected here, no mark yet, not kept away by leave. */
  allTargets() {
    if (!this.roster) return [];
    return this.roster.rows.filter((r) => r.expected && !this.markOf(r) && !attendance.keepsAway(r.leave));
  },

  // ---------- marking ----------

  onTapChild(e) {
    if (!this.data.canMark) {
      wx.showToast({ title: this.data.readOnlyHint || '只能查看', icon: 'none' });
      return Promise.resolve();
    }
    const row = this.rowOf(Number(e.currentTarget.dataset.id));
    if (!row || this.pending[row.student_id]) return Promise.resolve(); // its last mark is still on its way
    const current = this.markOf(row);
    if (!current) return this.send([{ student_id: row.student_id, status: 'present' }], `${row.name} 已到`);
    return this.chooseMark(row, current);
  },

  chooseMark(row, current) {
    const itemList = SHEET_ITEMS.map((item) => (item.status === current ? `${item.label}（当前）` : item.label));
    return new Promise((resolve) => {
      wx.showActionSheet({
        itemList,
        success: (res) => {
          const choice = SHEET_ITEMS[res.tapIndex];
          if (!choice || choice.status === current) {
            resolve();
            return;
          }
          const text = choice.status === attendance.UNMARKED ? `${row.name} 已撤销点名` : `${row.name} ${choice.label}`;
          resolve(this.send([{ student_id: row.student_id, status: choice.status }], text));
        },
        fail: () => resolve(), // cancelled
      });
    });
  },

  onAllPresent() {
    if (!this.data.canMark || this.data.allBusy) return Promise.resolve();
    const targets = this.allTargets();
    if (!targets.length) {
      wx.showToast({ title: '没有需要标记的孩子', icon: 'none' });
      return Promise.resolve();
    }
    const away = this.roster.rows.filter((r) => r.expected && !this.markOf(r) && attendance.keepsAway(r.leave)).length;
    this.setData({ allBusy: true });
    return confirm({
      title: '全部到齐？',
      content: `将把 ${targets.length} 名还没点名的孩子标为「已到」${away ? `（请假的 ${away} 人除外）` : ''}。`,
      confirmText: '全部到齐',
    }).then((ok) => {
      if (!ok) {
        this.setData({ allBusy: false });
        return undefined;
      }
      const marks = targets.map((r) => ({ student_id: r.student_id, status: 'present' }));
      return this.send(marks, `全部到齐：${targets.length} 人已到`).then(() => this.setData({ allBusy: false }));
    });
  },

  /**
   * Show `marks` at once and send them after whatever is on its way (one PUT at a time, in order). Saved → the
   * server's roster, and 撤销 for this change (unless it is itself an undo); refused → the children back as they
   * were, the server's message, and a reload.
   */
  send(marks, text, { isUndo = false } = {}) {
    const op = ++this.ops;
    const before = marks.map((m) => {
      const row = this.rowOf(m.student_id);
      return { student_id: m.student_id, status: (row && this.markOf(row)) || attendance.UNMARKED };
    });
    marks.forEach((m) => { this.pending[m.student_id] = { status: m.status, op }; });
    this.show();
    const done = () => {
      marks.forEach((m) => {
        if (this.pending[m.student_id] && this.pending[m.student_id].op === op) delete this.pending[m.student_id];
      });
      this.settled += 1;
    };
    const run = () => attendance.mark(this.sessionId, marks, { toast: false }).then(
      (result) => {
        done();
        this.show(result);
        if (isUndo) this.setData({ undo: null });
        else {
          this.undoMarks = before;
          this.setData({ undo: { text } });
        }
        return true;
      },
      (err) => {
        done();
        this.show();
        // a refusal is read in a modal; no answer at all is a toast, and the reload shows what was kept
        if (err.code === 'NETWORK_ERROR') wx.showToast({ title: `没有保存：${err.message}`, icon: 'none', duration: 3000 });
        else notice(REFUSALS_TITLE, err.message);
        // the server is the truth: what it has now (a dropped answer may still have been saved)
        return this.load().then(() => false);
      },
    );
    const sent = this.queue.then(run);
    this.queue = sent.catch(() => false);
    return sent;
  },

  onUndo() {
    if (!this.data.undo || this.data.undoBusy || !this.undoMarks) return Promise.resolve();
    const marks = this.undoMarks;
    this.undoMarks = null;
    this.setData({ undoBusy: true });
    return this.send(marks, '', { isUndo: true }).then((saved) => {
      this.setData({ undoBusy: false });
      if (saved) wx.showToast({ title: '已撤销', icon: 'success' });
      else if (!this.undoMarks) this.undoMarks = marks; // not undone: the bar stays, to try again
    });
  },

  onCareLog() {
    wx.navigateTo({ url: `/pages/care-log/index?session_id=${this.sessionId}` });
  },

  onReportIncident() {
    wx.navigateTo({ url: `/pages/incident-report/index?session_id=${this.sessionId}` });
  },

  onToggleWaiting() {
    this.setData({ onlyWaiting: !this.data.onlyWaiting });
    if (this.roster) this.show();
  },
});
