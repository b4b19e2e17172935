/**
 * 申请审核: the term's applications with filters; 教导处 approves or rejects one at a time, or ticks several
 * (those waiting for 审定) and approves them in one go (POST /terms/{id}/applications/bulk-approve).
 */
import { api } from '../api.js';
import { count, dateTime, errorBox, exportButton, fill, h, notice, table, toast, weekdays } from '../ui.js';

const STATUSES = [
  ['class_approved', '待教导处审定'],
  ['submitted', '待班主任审核'],
  ['approved', '已通过'],
  ['rejected', '已驳回'],
  ['withdrawn', '已退出'],
  ['declined', '不参加'],
  ['', '全部'],
];
const PRIORITIES = [
  ['', '全部'], ['disabled', '残疾儿童'], ['left_behind', '留守儿童'], ['migrant', '进城务工随迁子女'],
  ['low_income', '家庭经济困难'], ['single_parent', '单亲家庭'], ['dual_working', '双职工'],
];
const PRIORITY_LABELS = Object.fromEntries(PRIORITIES);

export async function render(view, ctx) {
  if (!ctx.term) {
    fill(view, notice('本校还没有学期。'));
    return;
  }
  const termId = ctx.term.id;
  const filters = { status: 'class_approved', class_id: '', priority: '' };
  const selected = new Set();
  let rows = [];

  const classes = await api.get(`/schools/${ctx.school.id}/classes`);
  const summaryBox = h('div', { class: 'kpis compact' });
  const resultBox = h('div', { id: 'review-result' });
  const listBox = h('div', { id: 'applications-list' });
  const selectAll = h('input', { type: 'checkbox', 'aria-label': '全选可审定的申请', onchange: (e) => {
    rows.filter(approvable).forEach((a) => (e.target.checked ? selected.add(a.id) : selected.delete(a.id)));
    drawList();
  } });
  const bulkButton = h('button', { type: 'button', class: 'primary', id: 'bulk-approve', onclick: () => bulkApprove() });
  const select = (name, options) => h('select', { 'aria-label': name, onchange: (e) => {
    filters[name] = e.target.value;
    selected.clear();
    reload();
  } }, options.map(([value, label]) => h('option', { value, selected: filters[name] === value }, label)));

  fill(view,
    summaryBox,
    h('div', { class: 'toolbar' },
      h('label', {}, '状态 ', select('status', STATUSES)),
      h('label', {}, '班级 ', select('class_id', [['', '全部班级'], ...classes.map((c) => [String(c.id), c.name])])),
      h('label', {}, '优先群体 ', select('priority', PRIORITIES)),
      h('div', { class: 'spacer' }),
      exportButton('导出 Excel', `/terms/${termId}/applications/export.xlsx`, () => filters, `课后服务申请-${ctx.term.name}.xlsx`),
      bulkButton),
    resultBox,
    listBox);

  function reload() {
    fill(resultBox);
    return load().catch((error) => { if (!ctx.stale) fill(listBox, errorBox(error)); });
  }

  function approvable(a) {
    return a.status === 'class_approved';
  }

  function drawBulkButton() {
    bulkButton.textContent = selected.size ? `批量审定通过（${selected.size}）` : '批量审定通过';
    bulkButton.disabled = !selected.size;
  }

  function drawList() {
    const candidates = rows.filter(approvable);
    selectAll.checked = candidates.length > 0 && candidates.every((a) => selected.has(a.id));
    selectAll.disabled = !candidates.length;
    drawBulkButton();
    fill(listBox,
      h('p', { class: 'muted' }, `共 ${rows.length} 条`),
      table([
        { title: selectAll, value: (a) => (approvable(a)
          ? h('input', { type: 'checkbox', 'aria-label': `选择 ${a.student_name}`, checked: selected.has(a.id),
                         onchange: (e) => { if (e.target.checked) selected.add(a.id); else selected.delete(a.id); drawList(); } })
          : ''), class: 'check' },
        { title: '学生', value: (a) => a.student_name },
        { title: '班级', value: (a) => a.class_name },
        { title: '服务日', value: (a) => weekdays(a.weekdays) },
        { title: '优先群体', value: (a) => (a.priority.length
          ? a.priority.map((p) => h('span', { class: 'tag' }, PRIORITY_LABELS[p] || p)) : '—') },
        { title: '协议', value: (a) => (a.signature ? `已签（第 ${a.signature.plan_version} 版）` : '未签') },
        { title: '提交时间', value: (a) => dateTime(a.submitted_at) },
        { title: '状态', value: (a) => h('span', { class: `status status-${a.status}`, dataset: { status: a.status } }, a.status_label) },
        { title: '操作', value: (a) => actions(a), class: 'actions' },
      ], rows, { empty: '没有符合条件的申请', rowAttrs: (a) => ({ dataset: { applicationId: a.id } }) }));
  }

  function actions(a) {
    if (!approvable(a)) return a.note || a.decline_reason || '';
    const cell = h('div', { class: 'row-actions' });
    const approve = h('button', { type: 'button', class: 'small primary', onclick: () => review(a, 'approve', null, approve) }, '通过');
    const reject = h('button', { type: 'button', class: 'small danger', onclick: () => {
      const reason = h('input', { placeholder: '驳回原因（必填）', maxlength: 500, 'aria-label': '驳回原因' });
      const confirm = h('button', { type: 'button', class: 'small danger', onclick: () => {
        if (!reason.value.trim()) { reason.focus(); toast('驳回须填写原因', 'error'); return; }
        review(a, 'reject', reason.value.trim(), confirm);
      } }, '确认驳回');
      fill(cell, reason, confirm, h('button', { type: 'button', class: 'small link', onclick: () => fill(cell, approve, reject) }, '取消'));
      reason.focus();
    } }, '驳回');
    return fill(cell, approve, reject);
  }

  async function review(a, decision, comment, button) {
    button.disabled = true;
    fill(resultBox);
    try {
      const updated = await api.post(`/applications/${a.id}/review`, { decision, comment });
      toast(`${updated.student_name}：${updated.status_label}`, 'success');
      selected.delete(a.id);
      await load();
    } catch (error) {
      button.disabled = false;
      toast(error.message, 'error');
    }
  }

  async function bulkApprove() {
    const ids = [...selected];
    bulkButton.disabled = true;
    try {
      const results = await api.post(`/terms/${termId}/applications/bulk-approve`, { application_ids: ids });
      const failed = results.filter((r) => !r.ok);
      const names = Object.fromEntries(rows.map((a) => [a.id, a.student_name]));
      selected.clear();
      await load(); // the list first, then the message: what the message says is on screen
      fill(resultBox, failed.length
        ? h('div', { class: 'alert warn', role: 'status' },
          h('p', {}, `已通过 ${results.length - failed.length} 份，${failed.length} 份未通过：`),
          h('ul', {}, failed.map((r) => h('li', {}, `${names[r.application_id] || `申请 ${r.application_id}`}：${r.message || r.code}`))))
        : notice(`已批量审定通过 ${results.length} 份申请`, 'success'));
    } catch (error) {
      fill(resultBox, errorBox(error));
      drawBulkButton();
    }
  }

  async function load() {
    const [list, summary] = await Promise.all([
      api.get(`/terms/${termId}/applications`, filters),
      api.get(`/terms/${termId}/applications/summary`),
    ]);
    if (ctx.stale) return;
    rows = list;
    [...selected].forEach((id) => { if (!rows.some((a) => a.id === id && approvable(a))) selected.delete(id); });
    const s = summary.by_status;
    fill(summaryBox,
      kpiSmall('待班主任审核', s.submitted, 'submitted'),
      kpiSmall('待教导处审定', s.class_approved, 'class_approved'),
      kpiSmall('已通过', s.approved, 'approved'),
      kpiSmall('已驳回', s.rejected, 'rejected'),
      kpiSmall('不参加', s.declined, 'declined'),
      summary.capacity ? kpiSmall('名额', summary.capacity, 'capacity') : null,
      kpiSmall('参与率', `${summary.participation_rate.toFixed(2)}%`, 'participation_rate'));
    drawList();
  }

  function kpiSmall(label, value, key) {
    return h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label),
      h('div', { class: 'kpi-value', dataset: { summary: key } }, typeof value === 'number' ? count(value) : value));
  }

  await load();
}
