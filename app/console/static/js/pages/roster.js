/**
 * 花名册导入: upload an .xlsx or .csv (POST /schools/{id}/roster/import). The backend checks every row first and
 * imports nothing if any row is wrong; its row-by-row report is shown as a table (行 / 列 / 问题).
 */
import { api } from '../api.js';
import { count, errorBox, exportButton, fill, h, notice } from '../ui.js';

const HEADER = ['学号', '姓名', '性别', '年级', '班级', '出生日期', '优先群体',
  '监护人1姓名', '监护人1电话', '监护人1关系', '监护人2姓名', '监护人2电话', '监护人2关系'];
const EXAMPLE = ['20260101', '张小明', '男', '1', '1', '2019-03-05', '双职工',
  '李娜', '13800138000', '妈妈', '张伟', '13900139000', '爸爸'];

export async function render(view, ctx) {
  const fileInput = h('input', { type: 'file', id: 'roster-file', accept: '.xlsx,.csv', 'aria-label': '花名册文件' });
  const dryRun = h('input', { type: 'checkbox', id: 'roster-dry-run' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'roster-submit' }, '上传并导入');
  const result = h('div', { id: 'roster-result', 'aria-live': 'polite' });

  const template = h('a', { href: '#', onclick: (event) => {
    event.preventDefault();
    // UTF-8 with BOM so Excel opens the Chinese headers correctly
    const csv = `\ufeff${HEADER.join(',')}\n${EXAMPLE.join(',')}\n`;
    const link = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: '花名册模板.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  } }, '下载模板（CSV）');

  const form = h('form', { class: 'card upload', onsubmit: (event) => { event.preventDefault(); upload(); } },
    h('p', {}, '支持 .xlsx 和 .csv（UTF-8 或 GBK）。必填列：学号、姓名、性别、班级（“三年级2班”，或“年级”列填 1–6、“班级”列填班号），',
      '以及至少一位监护人的姓名、电话、关系。同一学号再次导入即更新。任何一行有错，整个文件都不会导入。 ', template,
      '　导出的学生名单也是这个格式，改好后可直接导入。'),
    h('div', { class: 'toolbar' }, fileInput,
      h('label', { class: 'check' }, dryRun, ' 只检查，不导入'), submit, h('div', { class: 'spacer' }),
      exportButton('导出学生名单', `/schools/${ctx.school.id}/students/export.xlsx`, {}, '学生名单.xlsx')));

  fill(view, form, result);

  async function upload() {
    const file = fileInput.files[0];
    if (!file) {
      fill(result, notice('请先选择花名册文件', 'warn'));
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    submit.disabled = true;
    fill(result, h('div', { class: 'loading' }, '正在检查…'));
    try {
      const r = await api.upload(`/schools/${ctx.school.id}/roster/import`, body, { dry_run: dryRun.checked || undefined });
      if (ctx.stale) return;
      fill(result, h('div', { class: 'alert success', role: 'status' },
        h('p', { class: 'alert-message' }, r.dry_run ? `检查通过：${file.name} 没有错误，尚未导入。` : `已导入 ${file.name}。`),
        h('dl', { class: 'facts' },
          h('dt', {}, r.dry_run ? '将新增学生' : '新增学生'), h('dd', { dataset: { result: 'created' } }, count(r.created)),
          h('dt', {}, r.dry_run ? '将更新学生' : '更新学生'), h('dd', { dataset: { result: 'updated' } }, count(r.updated)),
          h('dt', {}, '未变'), h('dd', { dataset: { result: 'unchanged' } }, count(r.unchanged)),
          h('dt', {}, '新增家长'), h('dd', { dataset: { result: 'guardians_created' } }, count(r.guardians_created)),
          h('dt', {}, '新建班级'), h('dd', {}, r.classes_created.length ? r.classes_created.join('、') : '无'))));
    } catch (error) {
      if (!ctx.stale) fill(result, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  }
}
