/**
 * 一件突发情况 (query: id; from pages/incidents, pages/duty-report, pages/incident-report): the report as it stands
 * (type, severity, when, where, the children and their classes, what happened, what was done, who reported it;
 * 已更正 when a correction changed it, with the original kept), then every entry in order — 跟进, 更正 with what it
 * changed, 结案 with the resolution.
 *
 * Adding (duty leaders, admins, teachers, class heads; POST /incidents/{id}/entries, the key kept across taps):
 *   跟进   what was done since (required)
 *   更正   the fields to change (severity, place, description, actions taken; begun at what they are now) and why;
 *          only what differs is sent, and something must differ. A closed incident can still be corrected.
 *   结案   the resolution (required), after a confirm: once closed only corrections can be added.
 * A refusal (INCIDENT_CLOSED: closed meanwhile by someone else) is said and the incident read again.
 */
const incidents = require('../../services/incidents');
const { staffSchool } = require('../../utils/school-term');
const { hasRole } = require('../../utils/roles');
const { formatTime } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, keyKeeper, sendKept, confirm, notice } = require('../../utils/page');

const TEXT_LABELS = { follow_up: '跟进内容', correction: '更正说明', close: '处理结果' };
const TEXT_REQUIRED = {
  follow_up: '请写下跟进的情况',
  correction: '请说明为什么更正',
  close: '结案须写明处理结果',
};
const EMPTY_FORM = { text: '', severity: '', place: '', description: '', actions_taken: '' };

function incidentView(i) {
  const original = i.original || {};
  return {
    id: i.id,
    title: `${i.type_label} · ${i.severity_label}`,
    missing: i.type === incidents.MISSING_CHILD,
    severity: i.severity,
    open: i.status === 'open',
    statusLabel: i.status === 'open' ? '处理中' : '已结案',
    when: formatTime(i.at),
    place: i.place,
    childrenText: incidents.childrenText(i.children),
    description: i.description,
    actionsTaken: i.actions_taken,
    reported: `${i.reported_by} 报告于 ${formatTime(i.reported_at)}`,
    corrected: incidents.CORRECTABLE.some((f) => original[f.key] !== undefined && original[f.key] !== i[f.key]),
    resolution: i.resolution || '',
  };
}

Page({
  data: {
    ...NOT_LOADED,
    incident: null,
    entries: [],
    canHandle: false,
    mode: '',
    textLabel: '',
    form: { ...EMPTY_FORM },
    severities: incidents.SEVERITIES,
    textError: '',
    formError: '',
    submitting: false,
  },

  onLoad(query = {}) {
    this.incidentId = Number(query.id) || 0;
    this.schoolId = Number(query.school_id) || 0;
    this.entryKey = keyKeeper();
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => {
      if (!this.incidentId) throw new Error('未找到该突发情况');
      return staffSchool(this, { roles: incidents.REPORTER_ROLES, refusal: '只有学校的教职工可以查看突发情况' })
        .then(() => incidents.get(this.incidentId, opts))
        .then((incident) => {
          if (!isLatest()) return;
          this.show(incident);
        });
    });
  },

  show(incident) {
    this.incident = incident;
    this.setData({
      loading: false,
      loaded: true,
      errorMessage: '',
      incident: incidentView(incident),
      entries: incidents.entryViews(incident),
      canHandle: hasRole(this.school, incidents.HANDLER_ROLES),
    });
  },

  /** 跟进 / 更正 / 结案: the form for it (a correction begins at the fields as they are now). */
  onMode(e) {
    const mode = e.currentTarget.dataset.mode;
    const i = this.incident;
    const form = mode === 'correction'
      ? { text: '', severity: i.severity, place: i.place, description: i.description, actions_taken: i.actions_taken }
      : { ...EMPTY_FORM };
    this.entryKey.forget();
    this.setData({ mode, textLabel: TEXT_LABELS[mode], form, textError: '', formError: '' });
  },

  onCancelEntry() {
    this.setData({ mode: '', textError: '', formError: '' });
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: e.detail.value, textError: '', formError: '' });
  },

  onSeverity(e) {
    this.setData({ 'form.severity': e.currentTarget.dataset.key, formError: '' });
  },

  onSubmitEntry() {
    const mode = this.data.mode;
    const form = this.data.form;
    const text = String(form.text || '').trim();
    const body = { kind: mode, text };
    if (mode === 'correction') {
      body.changes = incidents.changedFields(form, this.incident);
      if (!Object.keys(body.changes).length) {
        this.setData({ formError: '请修改要更正的内容（程度、地点、经过或措施）' });
        return Promise.resolve();
      }
    }
    if (!text) {
      this.setData({ textError: TEXT_REQUIRED[mode] });
      return Promise.resolve();
    }
    return sendKept(this, {
      ask: mode === 'close'
        ? () => confirm({ title: '确认结案？', content: '结案后只能补充更正，不能再跟进。', confirmText: '结案' })
        : undefined,
      keeper: this.entryKey,
      body,
      send: (key) => incidents.addEntry(this.incidentId, body, { toast: false, idempotencyKey: key }),
      saved: (incident) => {
        this.setData({ mode: '', form: { ...EMPTY_FORM } });
        this.show(incident);
        wx.showToast({ title: mode === 'close' ? '已结案' : '已保存', icon: 'success' });
      },
      refused: (err) => {
        if (err.fields && err.fields.text) {
          this.setData({ textError: err.fields.text });
          return undefined;
        }
        notice('没有保存', err.message);
        if (err.code === 'INCIDENT_CLOSED') {
          this.setData({ mode: '' });
          return this.load();
        }
        return undefined;
      },
    });
  },
});
