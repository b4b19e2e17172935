/**
 * 看护班（临时班）: the term's care groups with each weekday's children and tutors, and the builder's warnings
 * (GET /terms/{id}/care-groups). 分班 (POST …/care-groups/build) places newcomers; it never moves children already
 * placed.
 */
import { api } from '../api.js';
import { count, errorBox, exportButton, fill, h, kpi, notice, section, table } from '../ui.js';

export async function render(view, ctx) {
  if (!ctx.term) {
    fill(view, notice('本校还没有学期。'));
    return;
  }
  const termId = ctx.term.id;
  const summary = h('div', { class: 'kpis compact' });
  const message = h('div');
  const listBox = h('div', { class: 'stack' });
  const build = h('button', { type: 'button', class: 'primary', onclick: async () => {
    build.disabled = true;
    try {
      const r = await api.post(`/terms/${termId}/care-groups/build`);
      fill(message, notice(`分班完成：新建 ${r.groups_created} 个班，新安置 ${r.newly_placed} 名学生，移出 ${r.left} 名，`
        + `新排看护 ${r.tutors_added} 人次${r.groups_removed ? `，删去空班 ${r.groups_removed} 个` : ''}。`, 'success'));
      draw(r);
    } catch (error) {
      fill(message, errorBox(error));
    } finally {
      build.disabled = false;
    }
  } }, '分班（安置新增学生）');

  fill(view, h('div', { class: 'toolbar' }, h('p', { class: 'muted' },
    '按审定通过的申请组建：30 人以上的班单独成班，不足的同年级合并，每班不超过上限，每 25 名学生一位看护教师。'),
  h('div', { class: 'spacer' }),
  exportButton('导出 Excel', `/terms/${termId}/care-groups/export.xlsx`, {}, `看护班名单-${ctx.term.name}.xlsx`), build),
  message, summary, listBox);

  function draw(data) {
    fill(summary,
      kpi('审定通过', count(data.children), { figure: 'care.children' }),
      kpi('已分班', count(data.placed), { figure: 'care.placed' }),
      kpi('未分班', count(data.unplaced), { figure: 'care.unplaced', tone: data.unplaced ? 'warn' : '' }),
      kpi('看护班', count(data.groups.length), { figure: 'care.groups' }));
    const weekdays = data.weekdays;
    const labels = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
    fill(listBox,
      data.warnings.length ? section('需要处理', h('ul', { class: 'warnings' }, data.warnings.map((w) => h('li', {}, w.message)))) : null,
      table([
        { title: '看护班', value: (g) => h('strong', {}, g.name) },
        { title: '教室', value: (g) => g.room || '—' },
        { title: '来自', value: (g) => g.class_names.join('、') },
        { title: '人数', value: (g) => count(g.members), class: 'num' },
        ...weekdays.map((day) => ({
          title: labels[day],
          value: (g) => {
            const d = g.days.find((x) => x.weekday === day);
            if (!d) return '—';
            const short = d.tutors.filter((t) => t.active).length < d.tutors_needed;
            return h('div', { class: short ? 'day short' : 'day' },
              h('div', {}, `${d.children} 人`),
              h('div', { class: 'muted small' }, d.tutors.length ? d.tutors.map((t) => t.name).join('、') : '未排看护'),
              short ? h('div', { class: 'small warn-text' }, `需 ${d.tutors_needed} 位教师`) : null);
          },
        })),
      ], data.groups, { empty: '还没有看护班，点“分班”按审定通过的申请组建' }));
  }

  try {
    const data = await api.get(`/terms/${termId}/care-groups`);
    if (!ctx.stale) draw(data);
  } catch (error) {
    fill(listBox, errorBox(error));
  }
}
