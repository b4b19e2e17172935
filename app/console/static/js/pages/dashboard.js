/**
 * 数据看板: the school's figures from GET /reports/schools/{id} (docs/reports.md) as cards, charts and tables.
 */
import { api } from '../api.js';
import { count, errorBox, exportButton, fill, h, kpi, percent, section, table, yuan } from '../ui.js';

const METHODS = { qr: '扫码接走', manual: '人工核对', walk_home: '自行回家' };
const COLORS = ['#1f6feb', '#2da44e', '#d29922', '#cf222e', '#8250df', '#0a7ea4', '#bf3989', '#6e7781'];

export async function render(view, ctx) {
  const charts = [];
  const range = { from: '', to: '' };
  const content = h('div', { class: 'dashboard' });

  const fromInput = h('input', { type: 'date', 'aria-label': '开始日期' });
  const toInput = h('input', { type: 'date', 'aria-label': '结束日期' });
  const apply = h('button', { type: 'button', onclick: () => { range.from = fromInput.value; range.to = toInput.value; load(); } }, '查询');
  const xlsx = exportButton('导出 Excel', `/reports/schools/${ctx.school.id}/export`, () => query(),
    `${ctx.school.name}-统计.xlsx`);
  fill(view,
    h('div', { class: 'toolbar' },
      h('span', { class: 'muted', id: 'report-range' }),
      h('div', { class: 'spacer' }),
      h('label', {}, '从 ', fromInput), h('label', {}, '到 ', toInput), apply, xlsx),
    content);

  function query() {
    return { term_id: ctx.term && ctx.term.id, from: range.from, to: range.to };
  }

  async function load() {
    charts.splice(0).forEach((chart) => chart.destroy());
    fill(content, h('div', { class: 'loading' }, '加载中…'));
    let report;
    try {
      report = await api.get(`/reports/schools/${ctx.school.id}`, query());
    } catch (error) {
      if (!ctx.stale) fill(content, errorBox(error));
      return;
    }
    if (ctx.stale) return;
    fromInput.value = report.from;
    toInput.value = report.to;
    document.getElementById('report-range').textContent =
      `${report.school.name} · ${report.term.name} · ${report.from} 至 ${report.to}`;
    fill(content, ...figures(report, charts));
  }

  await load();
  return () => charts.splice(0).forEach((chart) => chart.destroy());
}

function figures(r, charts) {
  const p = r.participation;
  const a = r.attendance;
  const pk = r.pickups;
  const t = r.teachers;
  const fees = r.fees;
  const chart = (config, label) => {
    const canvas = h('canvas', { role: 'img', 'aria-label': label });
    const holder = h('div', { class: 'chart' }, canvas);
    if (window.Chart) {
      charts.push(new window.Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false,
                                                                    animation: false, ...config.options } }));
    } else {
      holder.append(h('p', { class: 'muted' }, '图表组件未加载'));
    }
    return holder;
  };
  const emptyOr = (rows, build) => (rows.length ? build() : h('p', { class: 'muted empty-chart' }, '暂无数据'));

  return [
    h('div', { class: 'kpis' },
      kpi('参与率', percent(p.participation_rate), { figure: 'participation.participation_rate',
        note: `已审定 ${count(p.approved)} / 在校 ${count(p.eligible)} 人` }),
      kpi('已审定通过', count(p.approved), { figure: 'participation.approved',
        note: `已申请 ${count(p.applied)}，不参加 ${count(p.declined)}` }),
      kpi('在校学生', count(p.eligible), { figure: 'participation.eligible' }),
      kpi('出勤率', percent(a.attendance_rate), { figure: 'attendance.attendance_rate',
        note: `实到 ${count(a.present)} / 应到 ${count(a.expected)} 人次` }),
      kpi('教师参与率', percent(t.participation_rate), { figure: 'teachers.participation_rate',
        note: `${count(t.participating)} / ${count(t.staff)} 位教师，共 ${count(t.sessions)} 场次` }),
      kpi('巡查完成率', percent(r.patrols.rate), { figure: 'patrols.rate',
        note: `已巡查 ${count(r.patrols.done)} / 应巡查 ${count(r.patrols.due)}` }),
      kpi('家长满意度', percent(r.satisfaction.satisfied_rate), { figure: 'satisfaction.satisfied_rate',
        note: `${r.satisfaction.surveys.length} 份问卷` }),
      kpi('接走人次', count(pk.released), { figure: 'pickups.released',
        note: `超时未接 ${count(pk.late)}，交门卫 ${count(pk.with_guard)}` }),
      kpi('突发情况', count(r.incidents.total), { figure: 'incidents.total', note: `未结案 ${count(r.incidents.open)}`,
        tone: r.incidents.open ? 'warn' : '' }),
      kpi('应收费用', yuan(fees.due_cents), { figure: 'fees.due_cents',
        note: `${count(fees.children_billed)} 名学生，减免 ${yuan(fees.waived_cents)}` })),

    h('div', { class: 'grid-2' },
      section('参与情况（按年级）', emptyOr(p.by_grade, () => chart({
        type: 'bar',
        data: { labels: p.by_grade.map((g) => g.label), datasets: [
          { label: '在校', data: p.by_grade.map((g) => g.eligible), backgroundColor: '#c8d1dc' },
          { label: '已申请', data: p.by_grade.map((g) => g.applied), backgroundColor: '#54aeff' },
          { label: '已审定', data: p.by_grade.map((g) => g.approved), backgroundColor: COLORS[0] },
        ] },
      }, '各年级在校、申请与审定人数'))),
      section('每日出勤', emptyOr(a.series, () => chart({
        type: 'line',
        data: { labels: a.series.map((d) => d.date.slice(5)), datasets: [
          { label: '应到', data: a.series.map((d) => d.expected), borderColor: '#8c959f', pointRadius: 0 },
          { label: '实到', data: a.series.map((d) => d.present), borderColor: COLORS[1], pointRadius: 0 },
          { label: '请假', data: a.series.map((d) => d.leave), borderColor: COLORS[2], pointRadius: 0 },
          { label: '缺勤', data: a.series.map((d) => d.absent), borderColor: COLORS[3], pointRadius: 0 },
        ] },
        options: { interaction: { mode: 'index', intersect: false } },
      }, '每日应到、实到、请假与缺勤人数'))),
      section('放学接走时间', emptyOr(pk.buckets, () => chart({
        type: 'bar',
        data: { labels: pk.buckets.map((b) => `${b.from}–${b.to}`),
                datasets: [{ label: '接走人次', data: pk.buckets.map((b) => b.count), backgroundColor: COLORS[5] }] },
        options: { plugins: { legend: { display: false } } },
      }, '每 10 分钟接走的人次'))),
      section('接送方式', emptyOr(Object.keys(pk.by_method), () => chart({
        type: 'doughnut',
        data: { labels: Object.keys(pk.by_method).map((m) => METHODS[m] || m),
                datasets: [{ data: Object.values(pk.by_method), backgroundColor: COLORS }] },
      }, '按接送方式的接走人次'))),
    ),

    section('社团满员率', emptyOr(r.clubs, () => sized(r.clubs.length, chart({
      type: 'bar',
      data: { labels: r.clubs.map((c) => c.name),
              datasets: [{ label: '满员率 %', data: r.clubs.map((c) => c.fill_rate), backgroundColor: COLORS[4] }] },
      options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 }, y: { ticks: { autoSkip: false } } },
                 plugins: { legend: { display: false } } },
    }, '各社团已选人数占名额的百分比'))),
    r.clubs.length ? table([
      { title: '社团', value: (c) => c.name },
      { title: '名额', value: (c) => count(c.capacity), class: 'num' },
      { title: '已选', value: (c) => count(c.enrolled), class: 'num' },
      { title: '候补', value: (c) => count(c.waitlisted), class: 'num' },
      { title: '满员率', value: (c) => percent(c.fill_rate), class: 'num' },
    ], r.clubs) : null),

    h('div', { class: 'grid-2' },
      section('优先保障群体（已审定）', table([
        { title: '群体', value: (x) => x.label },
        { title: '人数', value: (x) => count(x.approved), class: 'num' },
        { title: '占已审定', value: (x) => percent(x.share_of_approved), class: 'num' },
      ], p.by_priority)),
      section('不参加的原因', p.declined_reasons.length
        ? table([
          { title: '原因', value: ([reason]) => reason },
          { title: '家庭数', value: ([, n]) => count(n), class: 'num' },
        ], tally(p.declined_reasons))
        : h('p', { class: 'muted' }, '暂无'))),

    section('各班参与情况', table([
      { title: '班级', value: (x) => x.label },
      { title: '在校', value: (x) => count(x.eligible), class: 'num' },
      { title: '已申请', value: (x) => count(x.applied), class: 'num' },
      { title: '已审定', value: (x) => count(x.approved), class: 'num' },
      { title: '不参加', value: (x) => count(x.declined), class: 'num' },
      { title: '未回复', value: (x) => count(x.not_responded), class: 'num' },
    ], p.by_class)),

    h('div', { class: 'grid-2' },
      section('突发情况（按类型）', table([
        { title: '类型', value: ([type]) => type },
        { title: '次数', value: ([, n]) => count(n), class: 'num' },
      ], Object.entries(r.incidents.by_type))),
      section('满意度调查', table([
        { title: '问卷', value: (s) => s.title },
        { title: '答卷', value: (s) => count(s.responses), class: 'num' },
        { title: '满意率', value: (s) => percent(s.satisfied_rate), class: 'num' },
      ], r.satisfaction.surveys, { empty: '本学期暂无问卷' }))),

    section('收费公示', h('dl', { class: 'facts' },
      h('dt', {}, '收费学生'), h('dd', {}, `${count(fees.children_billed)} 人`),
      h('dt', {}, '应收合计'), h('dd', {}, yuan(fees.billed_cents)),
      h('dt', {}, '减免'), h('dd', {}, `${yuan(fees.waived_cents)}（减半 ${fees.waivers_half} 人，全免 ${fees.waivers_full} 人）`),
      h('dt', {}, '实收'), h('dd', {}, yuan(fees.due_cents)))),
  ];
}

/** [[reason, how many families gave it]], most frequent first. */
function tally(reasons) {
  const counts = new Map();
  reasons.forEach((reason) => counts.set(reason, (counts.get(reason) || 0) + 1));
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

/** A horizontal bar chart tall enough for one readable row per bar. */
function sized(rows, holder) {
  if (rows > 10) holder.classList.add('tall');
  return holder;
}
