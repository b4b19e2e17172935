/**
 * 值班表: who leads each day and who patrols (GET /duty/roster), and the term's roster generated round-robin over
 * the duty leaders on served days (POST /duty/terms/{id}/roster/generate; days already set are kept unless 重排).
 */
import { api } from '../api.js';
import { addDays, errorBox, exportButton, fill, h, notice, table, today, WEEKDAYS } from '../ui.js';

export async function render(view, ctx) {
  const fromInput = h('input', { type: 'date', value: today(), 'aria-label': '开始日期' });
  const toInput = h('input', { type: 'date', value: addDays(today(), 13), 'aria-label': '结束日期' });
  const overwrite = h('input', { type: 'checkbox' });
  const message = h('div');
  const listBox = h('div', { id: 'duty-roster' });
  const generate = h('button', { type: 'button', class: 'primary', disabled: !ctx.term, onclick: async () => {
    generate.disabled = true;
    try {
      const days = await api.post(`/duty/terms/${ctx.term.id}/roster/generate`, { overwrite: overwrite.checked });
      await load(); // the roster first, then the message
      fill(message, notice(days.length ? `已排 ${days.length} 天的值班（${days[0].date} 至 ${days[days.length - 1].date}）`
        : '没有需要排班的日子（已排的日子保留；勾选“重排已排的日子”可覆盖）', 'success'));
    } catch (error) {
      fill(message, errorBox(error));
    } finally {
      generate.disabled = false;
    }
  } }, '生成本学期值班表');

  fill(view,
    h('div', { class: 'toolbar' },
      h('label', {}, '从 ', fromInput), h('label', {}, '到 ', toInput),
      h('button', { type: 'button', onclick: () => load() }, '查看'),
      exportButton('导出 Excel', '/duty/roster/export.xlsx',
        () => ({ school_id: ctx.school.id, from: fromInput.value, to: toInput.value }), '值班表.xlsx'),
      h('div', { class: 'spacer' }),
      h('label', { class: 'check' }, overwrite, ' 重排已排的日子'), generate),
    message, listBox);

  async function load() {
    try {
      const days = await api.get('/duty/roster', { school_id: ctx.school.id, from: fromInput.value, to: toInput.value });
      if (ctx.stale) return;
      const person = (p) => (p ? h('span', {}, p.name,
        p.swapped_from ? h('span', { class: 'muted small' }, `（原 ${p.swapped_from}${p.swap_reason ? `，${p.swap_reason}` : ''}）`) : null) : '—');
      fill(listBox, table([
        { title: '日期', value: (d) => d.date },
        { title: '星期', value: (d) => WEEKDAYS[d.weekday] || '' },
        { title: '值班领导', value: (d) => (d.leader ? person(d.leader) : h('span', { class: 'warn-text' }, '未安排')) },
        { title: '巡查人员', value: (d) => (d.patrols.length ? d.patrols.map((p, i) => [i ? '、' : '', person(p)]) : '—') },
      ], days, { empty: '这段时间还没有排值班（点“生成本学期值班表”）', rowAttrs: (d) => ({ dataset: { date: d.date } }) }));
    } catch (error) {
      if (!ctx.stale) fill(listBox, errorBox(error));
    }
  }

  await load();
}
