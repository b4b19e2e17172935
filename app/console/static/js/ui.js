/**
 * Small DOM helpers. Text always goes in through textContent (names come from imported rosters),
 * so no page builds HTML from strings.
 */
import { download } from './api.js';

/** h('button', { class: 'primary', onclick: fn, dataset: { id: 3 } }, '通过') */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (value === undefined || value === null || value === false) return;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  });
  append(el, children);
  return el;
}

function append(el, children) {
  children.flat(Infinity).forEach((child) => {
    if (child === undefined || child === null || child === false) return;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  });
}

/** Replace everything inside `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table: columns = [{ title, value: (row) => text or node, class? }]. */
export function table(columns, rows, { empty = '暂无数据', rowAttrs } = {}) {
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.title)))),
    h('tbody', {}, rows.length
      ? rows.map((row) => h('tr', rowAttrs ? rowAttrs(row) : {},
        columns.map((c) => h('td', { class: c.class }, c.value(row)))))
      : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))));
}

/** A figure card: the value carries data-figure so tests (and people) can find it. */
export function kpi(label, value, { figure, note, tone } = {}) {
  return h('div', { class: `kpi${tone ? ` ${tone}` : ''}` },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value', dataset: figure ? { figure } : undefined }, value),
    note ? h('div', { class: 'kpi-note' }, note) : null);
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** An error box: the Chinese message, and row-by-row problems when the API sent them. */
export function errorBox(error) {
  const rows = Array.isArray(error && error.errors) ? error.errors : [];
  const fields = error && error.fields ? Object.entries(error.fields) : [];
  return h('div', { class: 'alert error', role: 'alert' },
    h('p', { class: 'alert-message' }, (error && error.message) || '出错了，请稍后再试'),
    fields.length ? h('ul', {}, fields.map(([name, text]) => h('li', {}, `${name}：${text}`))) : null,
    rows.length ? table([
      { title: '行', value: (r) => r.row ?? '', class: 'num' },
      { title: '列', value: (r) => r.column ?? '' },
      { title: '问题', value: (r) => r.message ?? '' },
    ], rows, { rowAttrs: (r) => ({ class: 'row-error', dataset: { row: r.row } }) }) : null);
}

export function notice(text, tone = 'info') {
  return h('div', { class: `alert ${tone}`, role: 'status' }, text);
}

let toastTimer = null;
/** A short message at the bottom of the window. */
export function toast(text, tone = 'info') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.className = `toast show ${tone}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = 'toast'; }, 3500);
}

/** Disable a button while `work` runs; errors are shown as a toast and rethrown. */
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

/**
 * A button that downloads an export (docs/reports.md, "Exports"): GET `path` with the token, saved as `filename`.
 * `query` may be a function, read at the click (the page's current filters).
 */
export function exportButton(label, path, query = {}, filename = '导出.xlsx', attrs = {}) {
  const button = h('button', { type: 'button', ...attrs, onclick: async () => {
    button.disabled = true;
    try {
      await download(path, typeof query === 'function' ? query() : query, filename);
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      button.disabled = false;
    }
  } }, label);
  return button;
}

// ---------- formatting ----------

export const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
export const GRADES = ['', '一年级', '二年级', '三年级', '四年级', '五年级', '六年级'];

export function percent(value) {
  return `${Number(value || 0).toFixed(2)}%`;
}

export function count(value) {
  return Number(value || 0).toLocaleString('zh-CN');
}

export function yuan(cents) {
  return `¥${(Number(cents || 0) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function weekdays(list) {
  return (list || []).map((d) => WEEKDAYS[d] || d).join('、');
}

export function grades(list) {
  return (list || []).map((g) => GRADES[g] || `${g}年级`).join('、');
}

/** An ISO timestamp as school-local time, e.g. 11月24日 17:23. */
export function dateTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric',
                                                 hour: '2-digit', minute: '2-digit', hour12: false });
}

export function clock(date = new Date()) {
  return date.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** Today in the schools' zone, YYYY-MM-DD. */
export function today() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
