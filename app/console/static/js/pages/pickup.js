/**
 * 放学看板: today's pickup board (GET /pickup/board), refreshed every 15 seconds while the page is open:
 * still here, released, late, with the guard, by grade and by care group, and every child not yet picked up.
 */
import { api } from '../api.js';
import { clock, count, dateTime, errorBox, exportButton, fill, h, kpi, notice, section, table } from '../ui.js';

export const REFRESH_MS = 15000;
const LATE = { late: '超时未接', with_guard: '已交门卫' };

export async function render(view, ctx) {
  const status = h('span', { class: 'muted', id: 'board-status' });
  const refreshNow = h('button', { type: 'button', onclick: () => refresh() }, '立即刷新');
  const content = h('div', { id: 'board', class: 'stack' });
  const failure = h('div');
  let timer = null;
  let stopped = false;

  fill(view, h('div', { class: 'toolbar' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), status,
    h('div', { class: 'spacer' }),
    exportButton('导出今天的接送记录', '/pickup/handoffs/export.xlsx', { school_id: ctx.school.id }, '接送记录.xlsx'),
    exportButton('导出今天的超时记录', '/pickup/late/export.xlsx', { school_id: ctx.school.id }, '超时接送记录.xlsx'),
    refreshNow), failure, content);

  async function refresh() {
    clearTimeout(timer);
    refreshNow.disabled = true;
    try {
      const board = await api.get('/pickup/board', { school_id: ctx.school.id });
      if (stopped) return;
      fill(failure);
      draw(board);
      status.textContent = `${board.date} · 每 15 秒自动刷新 · 上次刷新 ${clock()}`;
      status.dataset.refreshedAt = String(Date.now());
    } catch (error) {
      if (stopped) return;
      // keep the last board on screen; say it is stale
      fill(failure, errorBox({ ...error, message: `刷新失败：${error.message}（稍后自动重试）` }));
    } finally {
      refreshNow.disabled = false;
      if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  function draw(b) {
    if (!b.served) {
      fill(content, notice(`${b.date} 不是课后服务日。`));
      return;
    }
    const progress = (row) => h('div', { class: 'bar' },
      h('progress', { max: row.in_care || 1, value: row.released, 'aria-label': `${row.name} 已接走 ${row.released}/${row.in_care}` }),
      h('span', { class: 'small' }, `${row.released}/${row.in_care}`));
    const counts = [
      { title: '名称', value: (r) => r.name },
      { title: '在校', value: (r) => count(r.remaining), class: 'num' },
      { title: '已接走', value: progress },
      { title: '超时', value: (r) => (r.late ? h('span', { class: 'warn-text' }, count(r.late)) : '0'), class: 'num' },
    ];
    fill(content,
      h('div', { class: 'kpis' },
        kpi('仍在校', count(b.remaining), { figure: 'board.remaining', tone: b.remaining ? '' : 'ok' }),
        kpi('已接走', `${count(b.released)} / ${count(b.in_care)}`, { figure: 'board.released' }),
        kpi('超时未接', count(b.late), { figure: 'board.late', tone: b.late ? 'warn' : '' }),
        kpi('已交门卫', count(b.with_guard), { figure: 'board.with_guard', tone: b.with_guard ? 'danger' : '' }),
        kpi('最后接走', b.latest_release_at ? dateTime(b.latest_release_at) : '—'),
        kpi('清校', b.clearance ? `已清校 ${dateTime(b.clearance.cleared_at)}` : '未清校',
          { note: b.clearance ? `确认人 ${b.clearance.cleared_by}` : null, tone: b.clearance ? 'ok' : '' })),
      h('div', { class: 'grid-2' },
        section('按年级', table(counts, b.by_grade)),
        section('按看护班', table(counts, b.by_group))),
      section(`还没接走（${b.not_released.length}）`, table([
        { title: '学生', value: (c) => c.name },
        { title: '班级', value: (c) => c.class_name },
        { title: '现在在', value: (c) => c.place },
        { title: '放学时间', value: (c) => c.end_time || '—' },
        { title: '状态', value: (c) => (c.late ? h('span', { class: `status status-${c.late}` }, LATE[c.late] || c.late) : '等待接走') },
      ], b.not_released, { empty: '全部已接走' })));
  }

  function onVisible() {
    if (document.visibilityState === 'visible') refresh();
  }
  document.addEventListener('visibilitychange', onVisible);

  await refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
