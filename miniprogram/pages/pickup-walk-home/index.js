/**
 * 自行回家 (teacher, class head, duty leader, admin; home → 自行回家): today's children whose guardian signed the
 * statement (情况说明) that they go home alone — GET /pickup/walk-home — with the statement, their grade's end time,
 * and whether they may leave now. Tick the children at the door (only those whose end time has come), 放行 (confirm)
 * → POST /pickup/walk-home, all or nothing, with an Idempotency-Key kept across taps; the released ones then show
 * who let them go and when. A refusal (WALK_HOME_TOO_EARLY, CHILD_ALREADY_RELEASED…) is said on each child's card.
 * Coming back, pull-down and 重新加载 reload (ticks kept for children still waiting).
 */
const pickup = require('../../services/pickup');
const { loadStaffPage } = require('../../utils/school-term');
const { NOT_LOADED, RELOADING, confirm, notice, keyKeeper } = require('../../utils/page');

function rowView(child, selected, refusal) {
  const card = pickup.childCard(child);
  const released = Boolean(child.released);
  let statusLabel = '可以离校';
  if (released) statusLabel = '已离校';
  else if (!child.may_leave_now) statusLabel = child.end_time ? `${child.end_time} 放学后可离校` : '还不能离校';
  return {
    ...card,
    statusLabel,
    tone: released ? 'done' : (child.may_leave_now ? 'ok' : 'muted'),
    statement: child.statement,
    released,
    canGo: !released && child.may_leave_now,
    selected: !released && child.may_leave_now && selected,
    refusal: refusal || '',
  };
}

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    rows: [],
    readyCount: 0,
    selectedCount: 0,
    allSelected: false,
    releasing: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.selected = {};
    this.refusals = {};
    this.releaseKey = keyKeeper();
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: pickup.WALK_HOME_ROLES,
      refusal: '只有课后服务老师、班主任、值班领导可以放行自行回家的学生',
    }, (school, isLatest) => pickup.walkHome({ schoolId: school.id }, opts).then((children) => {
      if (!isLatest()) return;
      this.children = children || [];
      this.show({ loading: false, loaded: true, errorMessage: '', schoolName: this.school.name });
    }));
  },

  show(extra = {}) {
    const rows = this.children.map((c) => rowView(c, this.selected[c.student_id], this.refusals[c.student_id]));
    const readyCount = rows.filter((r) => r.canGo).length;
    const selectedCount = rows.filter((r) => r.selected).length;
    this.setData({ ...extra, rows, readyCount, selectedCount, allSelected: readyCount > 0 && selectedCount === readyCount });
  },

  onToggle(e) {
    const id = Number(e.currentTarget.dataset.id);
    const row = this.data.rows.find((r) => r.id === id);
    if (!row || row.released) return;
    if (!row.canGo) {
      wx.showToast({ title: row.statusLabel, icon: 'none' });
      return;
    }
    this.selected[id] = !this.selected[id];
    this.show();
  },

  onSelectAll() {
    const all = !this.data.allSelected;
    this.data.rows.forEach((r) => { if (r.canGo) this.selected[r.id] = all; });
    this.show();
  },

  onRelease() {
    if (this.data.releasing) return Promise.resolve();
    const chosen = this.data.rows.filter((r) => r.selected);
    if (!chosen.length) {
      wx.showToast({ title: '请选择要放行的学生', icon: 'none' });
      return Promise.resolve();
    }
    const ids = chosen.map((r) => r.id);
    this.setData({ releasing: true });
    return confirm({
      title: `放行 ${ids.length} 名学生？`,
      content: `${chosen.map((r) => r.name).join('、')} 将自行回家（家长已签署情况说明）。`,
      confirmText: '放行',
    }).then((ok) => {
      if (!ok) return undefined;
      return pickup.releaseWalkingHome(ids, { schoolId: this.school.id }, {
        toast: false, idempotencyKey: this.releaseKey.keyFor(ids),
      }).then((answer) => {
        this.releaseKey.forget();
        this.selected = {};
        this.refusals = {};
        wx.showToast({ title: `已放行 ${answer.released.length} 人`, icon: 'success' });
        return this.load();
      }, (err) => this.refused(err));
    }).then(() => this.setData({ releasing: false }));
  },

  refused(err) {
    if (err.code === 'NETWORK_ERROR') {
      wx.showToast({ title: `没有放行：${err.message}，请再点一次`, icon: 'none', duration: 3000 });
      return undefined;
    }
    this.releaseKey.forget();
    this.refusals = pickup.refusalsById(err);
    Object.keys(this.refusals).forEach((id) => { this.selected[id] = false; });
    notice('没有放行', err.message);
    return this.load();
  },
});
