/**
 * 满意度调查 (satisfaction surveys), over services/request.js. Guardians list the surveys open for each child and
 * answer once per child (PUT, idempotent: the same answers again return the first submission; anything else after
 * submitting is refused, SURVEY_ALREADY_ANSWERED). Admins read a survey's results, filtered by grade or class.
 * Every function takes request options last.
 *
 * Also what the pages need: the answer form checked as the server checks it (app/surveys/service.py
 * check_answers), the server's per-question refusals mapped onto the form, and the results as bars.
 */
const { request } = require('./request');
const { formatRecent, formatTime } = require('../utils/format');

const RATING_LABELS = ['非常不满意', '不满意', '一般', '满意', '非常满意'];
const TEXT_MAX = 1000;
const GRADE_LABELS = ['', '一年级', '二年级', '三年级', '四年级', '五年级', '六年级'];

// ---------- the answer form ----------

/** An empty answer for each question: {[question_id]: {rating: 0 | options: [] | text: ''}}. */
function emptyAnswers(questions) {
  const out = {};
  (questions || []).forEach((q) => {
    if (q.kind === 'rating') out[q.id] = { rating: 0 };
    else if (q.kind === 'text') out[q.id] = { text: '' };
    else out[q.id] = { options: [] };
  });
  return out;
}

/** A submitted response (ResponseOut) as the form's answers, for showing what was sent. */
function answersFromResponse(questions, response) {
  const out = emptyAnswers(questions);
  ((response && response.answers) || []).forEach((a) => {
    if (!out[a.question_id]) return;
    if (a.rating) out[a.question_id] = { rating: a.rating };
    else if (a.option_ids) out[a.question_id] = { options: a.option_ids.slice() };
    else out[a.question_id] = { text: a.text || '' };
  });
  return out;
}

/** The answer to a question after a tap: a rating, an option (single replaces, multiple toggles) or a text. */
function answerAfter(question, answer, { rating, optionId, text }) {
  if (question.kind === 'rating') return { rating: Number(rating) || 0 };
  if (question.kind === 'text') return { text: String(text === undefined ? '' : text) };
  const id = Number(optionId);
  const chosen = (answer && answer.options) || [];
  if (question.kind === 'single') return { options: chosen.length === 1 && chosen[0] === id ? [] : [id] };
  return { options: chosen.indexOf(id) >= 0 ? chosen.filter((o) => o !== id) : chosen.concat([id]).sort((a, b) => a - b) };
}

/**
 * The form (answers keyed by question id) → {payload} (ResponseIn: {answers: [...]}, blank optional questions
 * left out) or {errors} keyed by question id, as the server checks: required answered, a rating 1–5, exactly one
 * option for a single choice, texts at most 1000 characters, something answered.
 */
function checkAnswers(questions, answers) {
  const errors = {};
  const out = [];
  (questions || []).forEach((q) => {
    const a = (answers && answers[q.id]) || {};
    let value = null;
    if (q.kind === 'rating') {
      if (a.rating) {
        if (a.rating < 1 || a.rating > 5) errors[q.id] = '评分须为 1–5 分';
        else value = { question_id: q.id, rating: a.rating };
      }
    } else if (q.kind === 'text') {
      const text = String(a.text || '').trim();
      if (text.length > TEXT_MAX) errors[q.id] = `最多 ${TEXT_MAX} 个字`;
      else if (text) value = { question_id: q.id, text };
    } else {
      const options = a.options || [];
      if (q.kind === 'single' && options.length > 1) errors[q.id] = '单选题只能选一项';
      else if (options.length) value = { question_id: q.id, option_ids: options.slice() };
    }
    if (value) out.push(value);
    else if (q.required && !errors[q.id]) errors[q.id] = q.kind === 'text' ? '请填写此题' : '此题必答';
  });
  if (Object.keys(errors).length) return { errors };
  if (!out.length) return { errors: { '': '请至少回答一道题' } };
  return { payload: { answers: out } };
}

/** A refused submission → {[question_id]: message} ('' for the form as a whole). */
function refusalErrors(err) {
  const out = {};
  if (err && err.code === 'SURVEY_ANSWER_INVALID' && Array.isArray(err.errors) && err.errors.length) {
    err.errors.forEach((e) => { if (!out[e.question_id]) out[e.question_id] = e.message; });
    return out;
  }
  out[''] = (err && err.message) || '提交失败，请稍后再试';
  return out;
}

/** "截止 12-20 18:00" / "长期有效". */
function closesText(closesAt) {
  return closesAt ? `截止 ${formatTime(closesAt)}` : '';
}

/** GET /surveys/mine as the list shows it: each child with its surveys (answered ones say when). */
function childrenView(children) {
  return (children || []).map((c) => ({
    studentId: c.student_id,
    name: c.student_name,
    meta: [c.class_name, c.school_name].filter(Boolean).join(' · '),
    surveys: (c.surveys || []).map((s) => ({
      id: s.id,
      key: `${c.student_id}-${s.id}`,
      title: s.title,
      closesText: closesText(s.closes_at),
      answered: Boolean(s.answered),
      submittedText: s.response ? `已于${formatRecent(s.response.submitted_at)}提交` : '',
      meta: [`${(s.questions || []).length} 道题`, closesText(s.closes_at)].filter(Boolean).join(' · '),
    })),
  }));
}

// ---------- results ----------

/** A share (percent) as a bar's CSS width; at least a sliver when there is any. */
function barStyle(share) {
  const n = Math.max(0, Math.min(100, Number(share) || 0));
  return `width: ${n > 0 && n < 1 ? 1 : n}%`;
}

/** SurveyResults → what the results page shows: figures, and per question its bars (5 分 first) or texts. */
function resultsView(results) {
  const questions = (results.questions || []).map((q, i) => {
    const view = {
      id: q.question_id,
      number: i + 1,
      kind: q.kind,
      kindLabel: q.kind_label,
      text: q.text,
      answered: q.answered,
      bars: [],
      average: '',
      satisfiedRate: '',
      textCount: 0,
    };
    if (q.rating) {
      view.bars = q.rating.distribution.slice().reverse().map((b) => ({
        key: `s${b.score}`, label: `${b.score}分 ${b.label}`, count: b.count, share: `${b.share}%`, style: barStyle(b.share),
        good: b.score >= 4,
      }));
      view.average = q.answered ? String(q.rating.average) : '—';
      view.satisfiedRate = `${q.rating.satisfied_rate}%`;
    } else if (q.options) {
      view.bars = q.options.map((o) => ({
        key: `o${o.option_id}`, label: o.text, count: o.count, share: `${o.share}%`, style: barStyle(o.share), good: false,
      }));
    } else {
      view.textCount = q.answered;
    }
    return view;
  });
  return {
    filterLabel: results.filter ? results.filter.label : '全校',
    responses: results.responses,
    eligible: results.eligible,
    responseRate: `${results.response_rate}%`,
    satisfiedRate: `${results.satisfied_rate}%`,
    ratingAnswers: results.rating_answers,
    questions,
  };
}

/** SuggestionsOut items → list rows. */
function suggestionsView(items) {
  return (items || []).map((t, i) => ({
    key: `t${i}`,
    text: t.text,
    meta: [t.class_name, formatRecent(t.submitted_at)].filter(Boolean).join(' · '),
    question: t.question_text,
  }));
}

/** The grade and class filters from the school's classes: [{key, label, grade, classId}], 全校 first. */
function filterOptions(classes) {
  const grades = Array.from(new Set((classes || []).map((c) => c.grade))).sort((a, b) => a - b);
  const out = [{ key: 'all', label: '全校', grade: 0, classId: 0 }];
  grades.forEach((g) => {
    out.push({ key: `g${g}`, label: GRADE_LABELS[g] || `${g}年级`, grade: g, classId: 0 });
  });
  return out;
}

/** The classes of one grade as filter chips. */
function classOptions(classes, grade) {
  return (classes || []).filter((c) => c.grade === grade).sort((a, b) => a.number - b.number)
    .map((c) => ({ key: `c${c.id}`, label: c.name, grade, classId: c.id }));
}

// ---------- the API ----------

/** GET /surveys/mine → [{student_id, student_name, school_id, school_name, class_name, surveys: [MySurvey]}] */
function mySurveys(options = {}) {
  return request({ url: '/surveys/mine', ...options });
}

/**
 * PUT /surveys/{id}/responses/{student_id} (ResponseIn) → ResponseOut. Idempotent: pass the page's kept key
 * (utils/page keyKeeper) so a tap after no answer came gets the first result. Refusals: SURVEY_ANSWER_INVALID (422,
 * `errors` per question), SURVEY_ALREADY_ANSWERED / SURVEY_CLOSED / SURVEY_NOT_OPEN (409), SURVEY_NOT_FOR_CHILD (403).
 */
function submitAnswers(surveyId, studentId, payload, options = {}) {
  return request({
    url: `/surveys/${surveyId}/responses/${studentId}`, method: 'PUT', data: payload, idempotent: true, ...options,
  });
}

/** GET /terms/{id}/surveys → [SurveyOut] newest first (drafts too). */
function termSurveys(termId, options = {}) {
  return request({ url: `/terms/${termId}/surveys`, ...options });
}

function filterQuery({ grade, classId } = {}) {
  const data = {};
  if (classId) data.class_id = classId;
  else if (grade) data.grade = grade;
  return data;
}

/** GET /surveys/{id}/results?grade=|class_id= → SurveyResults. */
function results(surveyId, filter = {}, options = {}) {
  return request({ url: `/surveys/${surveyId}/results`, data: filterQuery(filter), ...options });
}

/** GET /surveys/{id}/suggestions?grade=|class_id= → {survey_id, filter, items: [TextAnswer]}, newest first. */
function suggestions(surveyId, filter = {}, options = {}) {
  return request({ url: `/surveys/${surveyId}/suggestions`, data: filterQuery(filter), ...options });
}

/** GET /schools/{id}/classes → [ClassOut {id, grade, number, name, …}] */
function schoolClasses(schoolId, options = {}) {
  return request({ url: `/schools/${schoolId}/classes`, ...options });
}

module.exports = {
  RATING_LABELS,
  TEXT_MAX,
  emptyAnswers,
  answersFromResponse,
  answerAfter,
  checkAnswers,
  refusalErrors,
  closesText,
  childrenView,
  barStyle,
  resultsView,
  suggestionsView,
  filterOptions,
  classOptions,
  mySurveys,
  submitAnswers,
  termSurveys,
  results,
  suggestions,
  schoolClasses,
};
