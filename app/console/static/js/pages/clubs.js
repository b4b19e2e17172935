/**
 * 社团目录: the term's clubs with live seats (GET /terms/{id}/clubs); admins add a club (POST) or close one
 * (DELETE: enrolled and waiting children leave and their families are told).
 */
import { api } from '../api.js';
import { count, errorBox, exportButton, fill, grades, h, notice, table, toast, weekdays, WEEKDAYS, GRADES } from '../ui.js';

const CATEGORIES = { art: '艺术', sport: '体育', science: '科技', language: '语言', labour: '劳动', other: '其他' };

export async function render(view, ctx) {
  if (!ctx.term) {
    fill(view, notice('本校还没有学期。'));
    return;
  }
  const termId = ctx.term.id;
  const listBox = h('div', { id: 'clubs-list' });
  const formBox = h('div', { hidden: true });
  const addButton = h('button', { type: 'button', class: 'primary', onclick: () => {
    formBox.hidden = !formBox.hidden;
    addButton.textContent = formBox.hidden ? '新建社团' : '收起';
  } }, '新建社团');
  const teachers = await api.get(`/schools/${ctx.school.id}/staff`, { role: 'teacher' });
  if (ctx.stale) return;
  fill(formBox, clubForm(teachers, async (body, form) => {
    const club = await api.post(`/terms/${termId}/clubs`, body);
    toast(`已新建社团「${club.name}」`, 'success');
    form.reset();
    formBox.hidden = true;
    addButton.textContent = '新建社团';
    await load();
  }));
  const xlsx = exportButton('导出目录与名单', `/terms/${termId}/clubs/export.xlsx`, {}, `社团目录与名单-${ctx.term.name}.xlsx`);
  fill(view, h('div', { class: 'toolbar' }, h('span', { class: 'muted', id: 'clubs-count' }), h('div', { class: 'spacer' }), xlsx, addButton),
    formBox, listBox);

  async function load() {
    const clubs = await api.get(`/terms/${termId}/clubs`);
    if (ctx.stale) return;
    const seats = clubs.reduce((sum, c) => sum + c.capacity, 0);
    const taken = clubs.reduce((sum, c) => sum + c.enrolled, 0);
    document.getElementById('clubs-count').textContent = `共 ${clubs.length} 个社团，名额 ${count(seats)}，已选 ${count(taken)}`;
    fill(listBox, table([
      { title: '社团', value: (c) => h('div', {}, h('strong', {}, c.name), c.description ? h('div', { class: 'muted small' }, c.description) : null) },
      { title: '类别', value: (c) => c.category_label },
      { title: '指导教师', value: (c) => c.teacher_name || '—' },
      { title: '地点', value: (c) => c.venue || '—' },
      { title: '时间', value: (c) => `${weekdays(c.weekdays)} ${c.start_time}–${c.end_time}` },
      { title: '年级', value: (c) => grades(c.grades) },
      { title: '名额', value: (c) => count(c.capacity), class: 'num' },
      { title: '已选', value: (c) => count(c.enrolled), class: 'num' },
      { title: '余位', value: (c) => count(c.free_seats), class: 'num' },
      { title: '候补', value: (c) => count(c.waitlisted), class: 'num' },
      { title: '操作', value: (c) => closeButton(c), class: 'actions' },
    ], clubs, { empty: '本学期还没有社团', rowAttrs: (c) => ({ dataset: { clubId: c.id } }) }));
  }

  function closeButton(club) {
    const cell = h('div', { class: 'row-actions' });
    const start = h('button', { type: 'button', class: 'small danger', onclick: () => fill(cell,
      h('span', { class: 'small' }, `${club.enrolled + club.waitlisted} 名学生将退出并通知家长`),
      h('button', { type: 'button', class: 'small danger', onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api.delete(`/clubs/${club.id}`);
          toast(`已停开「${club.name}」`, 'success');
          await load();
        } catch (error) {
          event.target.disabled = false;
          toast(error.message, 'error');
        }
      } }, '确认停开'),
      h('button', { type: 'button', class: 'small link', onclick: () => fill(cell, start) }, '取消')) }, '停开');
    return fill(cell, start);
  }

  try {
    await load();
  } catch (error) {
    fill(listBox, errorBox(error));
  }
}

function clubForm(teachers, save) {
  const errors = h('div');
  const field = (label, input) => h('label', { class: 'field' }, h('span', {}, label), input);
  const checks = (name, options) => h('div', { class: 'checks', role: 'group', 'aria-label': name },
    options.map(([value, label]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: String(value) }), label)));
  const form = h('form', { class: 'card form-grid', id: 'club-form', onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const numbers = (name) => data.getAll(name).map(Number);
    const body = {
      name: String(data.get('name')).trim(),
      category: data.get('category'),
      description: String(data.get('description') || ''),
      teacher_staff_id: data.get('teacher_staff_id') ? Number(data.get('teacher_staff_id')) : null,
      venue: String(data.get('venue') || ''),
      weekdays: numbers('weekdays'),
      start_time: data.get('start_time'),
      end_time: data.get('end_time'),
      capacity: Number(data.get('capacity')),
      grades: numbers('grades'),
      min_to_open: data.get('min_to_open') ? Number(data.get('min_to_open')) : null,
    };
    const missing = [!body.weekdays.length && '活动日', !body.grades.length && '年级'].filter(Boolean);
    if (missing.length) {
      fill(errors, errorBoxText(`请选择${missing.join('和')}`));
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await save(body, form);
      fill(errors);
    } catch (error) {
      fill(errors, errorBox(error));
    } finally {
      button.disabled = false;
    }
  } },
  field('名称', h('input', { name: 'name', required: true, maxlength: 50 })),
  field('类别', h('select', { name: 'category' }, Object.entries(CATEGORIES).map(([value, label]) => h('option', { value }, label)))),
  field('指导教师', h('select', { name: 'teacher_staff_id' }, h('option', { value: '' }, '（暂不指定）'),
    teachers.filter((t) => t.is_active).map((t) => h('option', { value: String(t.id) }, t.name)))),
  field('地点', h('input', { name: 'venue', maxlength: 50 })),
  field('开始', h('input', { name: 'start_time', type: 'time', required: true, value: '16:20' })),
  field('结束', h('input', { name: 'end_time', type: 'time', required: true, value: '17:00' })),
  field('名额', h('input', { name: 'capacity', type: 'number', min: 1, max: 500, required: true, value: '30' })),
  field('开班最少人数', h('input', { name: 'min_to_open', type: 'number', min: 1, max: 500 })),
  field('活动日', checks('weekdays', [1, 2, 3, 4, 5].map((d) => [d, WEEKDAYS[d]]))),
  field('年级', checks('grades', [1, 2, 3, 4, 5, 6].map((g) => [g, GRADES[g]]))),
  h('label', { class: 'field wide' }, h('span', {}, '简介'), h('textarea', { name: 'description', rows: 2, maxlength: 2000 })),
  h('div', { class: 'wide' }, errors, h('button', { type: 'submit', class: 'primary' }, '保存')));
  return form;
}

function errorBoxText(message) {
  return errorBox({ message });
}
