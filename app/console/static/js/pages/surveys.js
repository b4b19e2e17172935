/**
 * 满意度调查 (docs/surveys.md): the term's surveys; write one (rating, single and multiple choice, free text),
 * publish it (families are told when it opens), move its closing time, close it; its results by question for the
 * school, a grade or a class, the free-text suggestions, and the .xlsx.
 *
 *   #/surveys          the list and the editor
 *   #/surveys?id=12    one survey's results
 */
import { api } from '../api.js';
import { count, dateTime, errorBox, exportButton, fill, h, kpi, notice, percent, section, table, GRADES } from '../ui.js';

const KINDS = [['rating', '评分（1–5 分）'], ['single', '单选'], ['multiple', '多选'], ['text', '填空']];
const AUDIENCES = [['in_care', '参加本学期课后服务的学生家长'], ['all', '全校学生家长']];
const STATE_TONES = { draft: '', scheduled: 'status-class_approved', open: 'status-approved', closed: 'status-rejected' };

export async function render(view, ctx) {
  if (!ctx.term) {
    fill(view, notice('本校还没有学期。'));
    return;
  }
  const id = Number(new URLSearchParams(location.hash.split('?')[1] || '').get('id'));
  if (id) await renderResults(view, ctx, id);
  else await renderList(view, ctx);
}

/** "2026-12-20T18:00" (a datetime-local input, school time) → an ISO moment with the school's offset. */
function moment(value) {
  return value ? `${value}:00+08:00` : null;
}

/** An ISO moment → the datetime-local value in school time. */
function localInput(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16).replace(' ', 'T');
}

// ---------- the list ----------

async function renderList(view, ctx) {
  const termId = ctx.term.id;
  const message = h('div', { id: 'survey-message' });
  const editorBox = h('div', { id: 'survey-editor', hidden: true });
  const listBox = h('div', { id: 'surveys-list' });
  const newButton = h('button', { type: 'button', class: 'primary', id: 'survey-new', onclick: () => openEditor(null) },
    '新建问卷');
  fill(view, h('div', { class: 'toolbar' }, h('span', { class: 'muted' }, `${ctx.term.name}的满意度调查`),
    h('div', { class: 'spacer' }), newButton), message, editorBox, listBox);

  function say(text, tone = 'success') {
    fill(message, notice(text, tone));
  }

  function openEditor(survey) {
    editorBox.hidden = false;
    fill(editorBox, surveyForm(survey, async (body) => {
      const saved = survey ? await api.put(`/surveys/${survey.id}`, body) : await api.post(`/terms/${termId}/surveys`, body);
      editorBox.hidden = true;
      say(`已保存草稿「${saved.title}」，可以发布了`);
      await load();
    }, () => { editorBox.hidden = true; }));
    editorBox.querySelector('input[name=title]').focus();
  }

  async function act(work, done) {
    try {
      const result = await work();
      say(done(result));
      await load();
    } catch (error) {
      fill(message, errorBox(error));
    }
  }

  /** The row's buttons for the survey's state; a form opened in the row puts them back when cancelled. */
  function actions(s, cell = h('div', { class: 'row-actions' })) {
    const button = (label, onclick, cls = 'small') => h('button', { type: 'button', class: cls, onclick }, label);
    const back = () => actions(s, cell);
    const results = button('查看结果', () => { location.hash = `#/surveys?id=${s.id}`; });
    const xlsx = exportButton('导出', `/surveys/${s.id}/results.xlsx`, {}, `${s.title}-调查结果.xlsx`, { class: 'small' });
    if (s.state === 'draft') {
      return fill(cell,
        button('编辑', () => openEditor(s)),
        button('发布', () => fill(cell, publishForm((body) => act(
          () => api.post(`/surveys/${s.id}/publish`, body),
          (out) => (out.state === 'open' ? `已发布「${out.title}」，已通知家长填写` : `已发布「${out.title}」，到开始时间会通知家长`)),
        back)), 'small primary'),
        button('删除', () => act(() => api.delete(`/surveys/${s.id}`), () => `已删除草稿「${s.title}」`), 'small danger'));
    }
    if (s.state === 'closed') return fill(cell, results, xlsx);
    return fill(cell, results,
      button('修改截止时间', () => fill(cell, deadlineForm(s, (closesAt) => act(
        () => api.put(`/surveys/${s.id}/closes-at`, { closes_at: closesAt }),
        (out) => (out.closes_at ? `截止时间已改为 ${dateTime(out.closes_at)}` : '已取消截止时间，需手动结束')),
      back))),
      button('结束', () => act(() => api.post(`/surveys/${s.id}/close`), (out) => `已结束「${out.title}」`), 'small danger'),
      xlsx);
  }

  async function load() {
    try {
      const surveys = await api.get(`/terms/${termId}/surveys`);
      if (ctx.stale) return;
      fill(listBox, table([
        { title: '问卷', value: (s) => h('strong', {}, s.title) },
        { title: '状态', value: (s) => h('span', { class: `status ${STATE_TONES[s.state] || ''}`, dataset: { state: s.state } }, s.state_label) },
        { title: '面向', value: (s) => s.audience_label },
        { title: '题目', value: (s) => count(s.questions.length), class: 'num' },
        { title: '开始', value: (s) => (s.state === 'draft' ? '—' : dateTime(s.opens_at || s.published_at)) },
        { title: '截止', value: (s) => (s.closes_at ? dateTime(s.closes_at) : (s.state === 'draft' ? '—' : '手动结束')) },
        { title: '已提交', value: (s) => count(s.responses), class: 'num' },
        { title: '操作', value: (s) => actions(s), class: 'actions' },
      ], surveys, { empty: '本学期还没有满意度调查（点“新建问卷”）', rowAttrs: (s) => ({ dataset: { surveyId: s.id } }) }));
    } catch (error) {
      if (!ctx.stale) fill(listBox, errorBox(error));
    }
  }

  await load();
}

function publishForm(publish, cancel) {
  const opens = h('input', { type: 'datetime-local', name: 'opens_at', 'aria-label': '开始时间' });
  const closes = h('input', { type: 'datetime-local', name: 'closes_at', 'aria-label': '截止时间' });
  return h('form', { class: 'row-actions', onsubmit: (event) => {
    event.preventDefault();
    publish({ opens_at: moment(opens.value), closes_at: moment(closes.value) });
  } },
  h('label', { class: 'small' }, '开始 ', opens), h('label', { class: 'small' }, '截止 ', closes),
  h('button', { type: 'submit', class: 'small primary' }, '确认发布'),
  h('button', { type: 'button', class: 'small link', onclick: cancel }, '取消'),
  h('span', { class: 'muted small' }, '不填开始时间即立即开始；发布后题目不能再改'));
}

function deadlineForm(survey, save, cancel) {
  const closes = h('input', { type: 'datetime-local', name: 'closes_at', value: localInput(survey.closes_at), 'aria-label': '新的截止时间' });
  return h('form', { class: 'row-actions', onsubmit: (event) => {
    event.preventDefault();
    save(moment(closes.value));
  } },
  h('label', { class: 'small' }, '截止 ', closes),
  h('button', { type: 'submit', class: 'small primary' }, '保存'),
  h('button', { type: 'button', class: 'small link', onclick: cancel }, '取消'),
  h('span', { class: 'muted small' }, '留空即不设截止，需手动结束'));
}

// ---------- the editor ----------

function surveyForm(survey, save, cancel) {
  const errors = h('div');
  const questions = h('ol', { class: 'questions', id: 'survey-questions' });
  const addQuestion = (q = { kind: 'rating', text: '', required: true, options: [] }) => {
    const options = h('textarea', { name: 'options', rows: 4, placeholder: '每行一个选项', 'aria-label': '选项' },
      (q.options || []).map((o) => (typeof o === 'string' ? o : o.text)).join('\n'));
    const optionsField = h('label', { class: 'field wide' }, h('span', {}, '选项（每行一个）'), options);
    const kind = h('select', { name: 'kind', 'aria-label': '题型', onchange: () => {
      optionsField.hidden = !['single', 'multiple'].includes(kind.value);
    } }, KINDS.map(([value, label]) => h('option', { value, selected: q.kind === value }, label)));
    optionsField.hidden = !['single', 'multiple'].includes(q.kind);
    const item = h('li', { class: 'card form-grid question' },
      h('label', { class: 'field' }, h('span', {}, '题型'), kind),
      h('label', { class: 'field wide' }, h('span', {}, '题目'), h('input', { name: 'text', value: q.text, required: true, maxlength: 200 })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'required', checked: q.required !== false }), '必答'),
      h('div', {}, h('button', { type: 'button', class: 'small link', onclick: () => item.remove() }, '删除此题')),
      optionsField);
    questions.append(item);
  };
  (survey ? survey.questions : [
    { kind: 'rating', text: '您对本学期课后服务的总体满意度', required: true },
    { kind: 'text', text: '您对课后服务的意见和建议', required: false },
  ]).forEach(addQuestion);

  const form = h('form', { class: 'card stack', id: 'survey-form', onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      title: String(data.get('title')).trim(),
      intro: String(data.get('intro') || ''),
      audience: data.get('audience'),
      questions: [...questions.children].map((li) => {
        const kind = li.querySelector('[name=kind]').value;
        return {
          kind,
          text: li.querySelector('[name=text]').value.trim(),
          required: li.querySelector('[name=required]').checked,
          options: ['single', 'multiple'].includes(kind)
            ? li.querySelector('[name=options]').value.split('\n').map((o) => o.trim()).filter(Boolean) : [],
        };
      }),
    };
    if (!body.questions.length) {
      fill(errors, errorBox({ message: '请至少添加一道题' }));
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await save(body);
      fill(errors);
    } catch (error) {
      fill(errors, errorBox(error));
    } finally {
      button.disabled = false;
    }
  } },
  h('h2', {}, survey ? `编辑草稿「${survey.title}」` : '新建问卷'),
  h('div', { class: 'form-grid' },
    h('label', { class: 'field wide' }, h('span', {}, '标题'), h('input', { name: 'title', required: true, maxlength: 100, value: survey ? survey.title : '' })),
    h('label', { class: 'field wide' }, h('span', {}, '说明（开头的话）'), h('textarea', { name: 'intro', rows: 2, maxlength: 2000 }, survey ? survey.intro : '')),
    h('label', { class: 'field' }, h('span', {}, '面向'), h('select', { name: 'audience' },
      AUDIENCES.map(([value, label]) => h('option', { value, selected: (survey ? survey.audience : 'in_care') === value }, label))))),
  questions,
  h('div', { class: 'toolbar' },
    h('button', { type: 'button', id: 'survey-add-question', onclick: () => addQuestion() }, '添加题目'),
    h('div', { class: 'spacer' }),
    h('button', { type: 'button', class: 'link', onclick: cancel }, '取消'),
    h('button', { type: 'submit', class: 'primary' }, '保存草稿')),
  errors);
  return form;
}

// ---------- one survey's results ----------

async function renderResults(view, ctx, id) {
  const filter = { grade: '', class_id: '' };
  const classes = await api.get(`/schools/${ctx.school.id}/classes`);
  if (ctx.stale) return;
  const grades = [...new Set(classes.map((c) => c.grade))].sort();
  const scope = h('select', { 'aria-label': '范围', id: 'survey-scope', onchange: () => {
    const [kind, value] = scope.value.split(':');
    filter.grade = kind === 'grade' ? value : '';
    filter.class_id = kind === 'class' ? value : '';
    load();
  } },
  h('option', { value: '' }, '全校'),
  grades.map((g) => h('option', { value: `grade:${g}` }, GRADES[g] || `${g}年级`)),
  classes.map((c) => h('option', { value: `class:${c.id}` }, c.name)));
  const xlsx = exportButton('导出 Excel', `/surveys/${id}/results.xlsx`, () => filter, '满意度调查结果.xlsx',
    { id: 'survey-export' });
  const content = h('div', { class: 'stack', id: 'survey-results' });
  fill(view, h('div', { class: 'toolbar' },
    h('a', { href: '#/surveys' }, '← 返回问卷列表'), h('strong', { id: 'survey-title' }),
    h('div', { class: 'spacer' }), h('label', {}, '范围 ', scope), xlsx), content);

  async function load() {
    fill(content, h('div', { class: 'loading' }, '加载中…'));
    let results;
    let suggestions;
    try {
      [results, suggestions] = await Promise.all([api.get(`/surveys/${id}/results`, filter),
                                                  api.get(`/surveys/${id}/suggestions`, filter)]);
    } catch (error) {
      if (!ctx.stale) fill(content, errorBox(error));
      return;
    }
    if (ctx.stale) return;
    const s = results.survey;
    document.getElementById('survey-title').textContent = `${s.title}（${s.state_label}）· ${results.filter.label}`;
    fill(content,
      h('div', { class: 'kpis compact' },
        kpi('已提交', count(results.responses), { figure: 'survey.responses' }),
        kpi('应答学生', count(results.eligible), { figure: 'survey.eligible', note: s.audience_label }),
        kpi('参与率', percent(results.response_rate), { figure: 'survey.response_rate' }),
        kpi('满意率', percent(results.satisfied_rate), { figure: 'survey.satisfied_rate',
          note: `评分 4–5 分 ${count(results.satisfied_answers)} / ${count(results.rating_answers)} 次` })),
      results.questions.map((q, n) => questionCard(q, n + 1)),
      section(`意见建议（${suggestions.items.length} 条）`, table([
        { title: '题目', value: (t) => t.question_text },
        { title: '班级', value: (t) => t.class_name },
        { title: '内容', value: (t) => t.text },
        { title: '提交时间', value: (t) => dateTime(t.submitted_at) },
      ], suggestions.items, { empty: '暂无填写的意见建议', rowAttrs: () => ({ class: 'suggestion' }) })));
  }

  await load();
}

function share(value) {
  return h('div', { class: 'bar' }, h('progress', { max: 100, value: Number(value) || 0 }), percent(value));
}

function questionCard(q, n) {
  const head = `${n}. ${q.text}（${q.kind_label}${q.required ? '，必答' : ''}）`;
  let body;
  if (q.rating) {
    body = [
      h('p', { class: 'muted' }, `作答 ${count(q.answered)} 人 · 平均 `, h('strong', { dataset: { figure: `q${q.question_id}.average` } }, q.rating.average.toFixed(2)),
        ' 分 · 满意率 ', h('strong', { dataset: { figure: `q${q.question_id}.satisfied_rate` } }, percent(q.rating.satisfied_rate))),
      table([
        { title: '分值', value: (b) => b.score, class: 'num' },
        { title: '评价', value: (b) => b.label },
        { title: '人数', value: (b) => count(b.count), class: 'num' },
        { title: '占比', value: (b) => share(b.share) },
      ], [...q.rating.distribution].reverse()),
    ];
  } else if (q.options) {
    body = [h('p', { class: 'muted' }, `作答 ${count(q.answered)} 人`), table([
      { title: '选项', value: (o) => o.text },
      { title: '人数', value: (o) => count(o.count), class: 'num' },
      { title: '占比', value: (o) => share(o.share) },
    ], q.options)];
  } else {
    body = h('p', { class: 'muted' }, `${count(q.answered)} 条回答，见下方“意见建议”`);
  }
  return h('section', { class: 'card', dataset: { questionId: q.question_id } }, h('h2', {}, head), body);
}
