/**
 * 当日报告 / 值班日志 (duty leader, admin; home → 值班日志, pages/duty-today; query: date, default today):
 * GET /duty/reports/{date} — the sessions with their teachers and attendance (应到 / 实到 / 请假 / 缺勤) and patrols
 * (已巡查 / 应巡查), every patrol (教师在岗, 看到 / 点名, 人数不符, 秩序), the patrols missing, the incidents (tap → the
 * incident), the pickups (released by how, 人工核对, 超时, 交门卫, the last child out) and 清校 — with a link to the
 * board (pages/pickup-board) while the school is not clear.
 *
 * 签字 (confirm) → POST …/sign: the report as it is becomes the day's record. After that only 更正 — a text appended
 * with who and when (POST …/corrections), never a change to the record. Both keep their Idempotency-Key across taps.
 * ‹ and the date picker look at earlier days; › comes back up to today (no report for a day to come).
 */
const duty = require('../../services/duty');
const { formatTime, shanghaiToday } = require('../../utils/format');
const { loadStaffPage } = require('../../utils/school-term');
const { DAY_BAR, DAY_SWITCHER, startDay, restoreDayBar } = require('../../utils/day-switcher');
const {
  NOT_LOADED, RELOADING, keyKeeper, sendKept, confirm, notice,
} = require('../../utils/page');

function sessionRow(s) {
  return {
    id: s.session_id,
    name: s.name,
    kindLabel: s.kind_label,
    time: `${s.starts_at}–${s.ends_at}`,
    teachersText: (s.teachers || []).join('、') || '未安排老师',
    attendance: `应到 ${s.expected} · 实到 ${s.present} · 请假 ${s.leave} · 缺勤 ${s.absent}`,
    patrols: `巡查 ${s.patrols_done}/${s.patrols_expected}`,
    patrolsShort: s.patrols_done < s.patrols_expected,
  };
}

function pickupsView(p) {
  const methods = Object.keys(p.by_method || {}).map((label) => `${label} ${p.by_method[label]}`).join('，');
  return {
    released: p.released,
    methodsText: methods,
    manual: p.manual,
    late: p.late,
    withGuard: p.with_guard,
    latest: p.latest_release || '',
    cleared: Boolean(p.cleared_at),
    clearedText: p.cleared_at ? `${p.cleared_at} 由 ${p.cleared_by || ''} 确认清校` : '尚未清校',
  };
}

function reportView(r) {
  return {
    schoolName: r.school_name,
    served: r.served,
    leader: r.leader || '未排值班领导',
    totals: r.totals || {},
    sessions: (r.sessions || []).map(sessionRow),
    patrols: (r.patrols || []).map(duty.patrolView),
    patrolsMissing: r.patrols_missing,
    incidents: (r.incidents || []).map((i) => ({
      id: i.id,
      title: `${i.time} ${i.type_label}（${i.severity_label}）`,
      line: [i.place, (i.children || []).join('、')].filter(Boolean).join(' · '),
      open: i.status === 'open',
      statusLabel: i.status === 'open' ? '处理中' : '已结案',
      resolution: i.resolution || '',
    })),
    pickups: pickupsView(r.pickups || {}),
    signed: r.signed,
    signedText: r.signed ? `${r.signed_by} 签字于 ${formatTime(r.signed_at)}` : '',
    corrections: (r.corrections || []).map((c, i) => ({
      key: i,
      text: c.text,
      meta: `${c.written_by} · ${formatTime(c.written_at)}`,
    })),
  };
}

Page({
  data: {
    ...NOT_LOADED,
    ...DAY_BAR,
    today: '',
    report: null,
    signing: false,
    correctionText: '',
    correctionError: '',
    correcting: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.signKey = keyKeeper();
    this.correctKey = keyKeeper();
    startDay(this, query.date);
    this.setData({ today: shanghaiToday() });
  },

  ...RELOADING,
  ...DAY_SWITCHER,

  load() {
    const date = this.date;
    const opts = { toast: false };
    return loadStaffPage(this, {
      roles: duty.REPORT_ROLES,
      refusal: '只有值班领导和学校管理员可以查看当日报告',
    }, (school, isLatest) => duty.report(date, { schoolId: school.id }, opts).then((report) => {
      if (!isLatest()) return;
      this.show(report);
    })).then(() => restoreDayBar(this, date));
  },

  show(report) {
    this.shownDate = report.date;
    this.setData({ loading: false, loaded: true, errorMessage: '', today: shanghaiToday(), report: reportView(report) });
  },

  onPickDate(e) {
    return this.showDate(e.detail.value);
  },

  onNextDay() {
    if (this.date >= shanghaiToday()) return Promise.resolve();
    return DAY_SWITCHER.onNextDay.call(this);
  },

  /** 签字, after a confirm: the day's record from now on. */
  onSign() {
    if (this.data.signing || !this.data.report || this.data.report.signed) return Promise.resolve();
    const date = this.date;
    const missing = this.data.report.patrolsMissing;
    const uncleared = this.data.report.pickups.cleared ? '' : '尚未清校。';
    return sendKept(this, {
      busy: 'signing',
      ask: () => confirm({
        title: '签字确认',
        content: `签字后 ${this.data.dateTitle} 的记录即定稿，之后只能追加更正。${missing ? `还有 ${missing} 次巡查未做。` : ''}${uncleared}`,
        confirmText: '签字',
      }),
      keeper: this.signKey,
      body: { sign: date },
      send: (key) => duty.signReport(date, { schoolId: this.school.id }, { toast: false, idempotencyKey: key }),
      saved: (report) => {
        this.show(report);
        wx.showToast({ title: '已签字', icon: 'success' });
      },
      refused: (err) => notice('没有签字', err.message),
    });
  },

  onCorrectionInput(e) {
    this.setData({ correctionText: e.detail.value, correctionError: '' });
  },

  /** 更正: a text appended to the signed record. */
  onCorrect() {
    const text = String(this.data.correctionText || '').trim();
    if (!text) {
      this.setData({ correctionError: '请写下要更正的内容' });
      return Promise.resolve();
    }
    const date = this.date;
    const body = { date, text };
    return sendKept(this, {
      busy: 'correcting',
      keeper: this.correctKey,
      body,
      send: (key) => duty.correctReport(date, text, { schoolId: this.school.id }, { toast: false, idempotencyKey: key }),
      saved: (report) => {
        this.setData({ correctionText: '' });
        this.show(report);
        wx.showToast({ title: '已追加更正', icon: 'success' });
      },
      refused: (err) => {
        if (err.fields && err.fields.text) this.setData({ correctionError: err.fields.text });
        else notice('没有保存', err.message);
        return err.code === 'REPORT_NOT_SIGNED' ? this.load() : undefined;
      },
    });
  },

  onIncident(e) {
    wx.navigateTo({ url: `/pages/incident/index?id=${e.currentTarget.dataset.id}` });
  },

  onBoard() {
    wx.navigateTo({ url: '/pages/pickup-board/index' });
  },
});
