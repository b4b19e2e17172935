/**
 * 满意度调查 (guardian; query: student_id, optional — from a child's card, only that child): the surveys open for
 * each child (GET /surveys/mine), then the answer form of one.
 *
 *   评分   five buttons, 1–5 分, the chosen one's words under them (非常不满意 … 非常满意)
 *   单选   one option; a second tap on it clears it
 *   多选   any number
 *   填空   free text (at most 1000 characters)
 *
 * 提交 → PUT /surveys/{id}/responses/{student_id} with an Idempotency-Key kept across taps for the same answers, so
 * a tap again after no answer came gets the first result. Once sent, the survey says 已提交 and shows the answers,
 * read-only: a child is answered for once. The server's refusals: per question (shown on the question), already
 * answered (another phone of the family: its answers are shown), closed meanwhile.
 */
const surveys = require('../../services/surveys');
const { formatTime } = require('../../utils/format');
const { NOT_LOADED, RELOADING, loadPage, notice, keyKeeper } = require('../../utils/page');

const REFUSED_TITLES = {
  SURVEY_ALREADY_ANSWERED: '已经提交过了',
  SURVEY_CLOSED: '问卷已结束',
  SURVEY_NOT_OPEN: '问卷还没有开始',
  SURVEY_NOT_FOR_CHILD: '无需填写',
  SURVEY_NOT_FOUND: '问卷已撤回',
};

Page({
  data: {
    ...NOT_LOADED,
    children: [],
    single: false,
    form: null,
    questions: [],
    formError: '',
    submitting: false,
  },

  onLoad(query = {}) {
    this.studentId = Number(query.student_id) || 0;
    this.mine = [];
    this.answers = {};
    this.errors = {};
    this.submitKey = keyKeeper();
  },

  ...RELOADING,

  load() {
    return loadPage(this, (isLatest) => surveys.mySurveys({ toast: false }).then((mine) => {
      if (!isLatest()) return;
      this.mine = (mine || []).filter((c) => !this.studentId || c.student_id === this.studentId);
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        single: Boolean(this.studentId),
        children: surveys.childrenView(this.mine),
      });
      // an open form follows what the server now says (answered on another phone, closed meanwhile)
      if (this.current) this.openForm(this.current.studentId, this.current.surveyId, { keepAnswers: true });
    }));
  },

  /** The survey of one child, as the server last sent it; null when it is no longer open for them. */
  find(studentId, surveyId) {
    const child = this.mine.find((c) => c.student_id === studentId);
    const survey = child && (child.surveys || []).find((s) => s.id === surveyId);
    return survey ? { child, survey } : null;
  },

  onOpen(e) {
    const { student, survey } = e.currentTarget.dataset;
    this.openForm(Number(student), Number(survey), { keepAnswers: false });
  },

  openForm(studentId, surveyId, { keepAnswers }) {
    const found = this.find(studentId, surveyId);
    if (!found) {
      this.closeForm();
      return;
    }
    const { child, survey } = found;
    this.current = { studentId, surveyId, questions: survey.questions || [] };
    if (survey.answered) {
      this.answers = surveys.answersFromResponse(this.current.questions, survey.response);
      this.errors = {};
    } else if (!keepAnswers) {
      this.answers = surveys.emptyAnswers(this.current.questions);
      this.errors = {};
      this.submitKey.forget();
    }
    this.setData({
      form: {
        studentId,
        surveyId,
        childName: child.student_name,
        title: survey.title,
        intro: survey.intro || '',
        meta: [`为 ${child.student_name} 填写`, surveys.closesText(survey.closes_at)].filter(Boolean).join(' · '),
        answered: Boolean(survey.answered),
        submittedText: survey.response ? `提交时间：${formatTime(survey.response.submitted_at, true)}` : '',
      },
      formError: survey.answered ? '' : this.data.formError,
    });
    this.render();
  },

  closeForm() {
    this.current = null;
    this.answers = {};
    this.errors = {};
    this.submitKey.forget();
    this.setData({ form: null, questions: [], formError: '' });
  },

  onBack() {
    this.closeForm();
  },

  /** The questions with what is chosen, for the template (WXML cannot look things up in lists). */
  render() {
    const questions = (this.current ? this.current.questions : []).map((q, i) => {
      const a = this.answers[q.id] || {};
      const chosen = a.options || [];
      return {
        id: q.id,
        number: i + 1,
        kind: q.kind,
        kindLabel: q.kind_label,
        text: q.text,
        required: q.required,
        stars: q.kind === 'rating' ? [1, 2, 3, 4, 5].map((score) => ({
          score, on: Boolean(a.rating) && score <= a.rating, chosen: a.rating === score,
        })) : [],
        ratingLabel: a.rating ? `${a.rating} 分 · ${surveys.RATING_LABELS[a.rating - 1]}` : '',
        options: q.kind === 'single' || q.kind === 'multiple'
          ? q.options.map((o) => ({ id: o.id, text: o.text, on: chosen.indexOf(o.id) >= 0 })) : [],
        text: a.text || '',
        error: this.errors[q.id] || '',
      };
    });
    this.setData({ questions });
  },

  change(e, value) {
    if (!this.current || this.data.form.answered || this.data.submitting) return;
    const qid = Number(e.currentTarget.dataset.qid);
    const question = this.current.questions.find((q) => q.id === qid);
    if (!question) return;
    this.answers = { ...this.answers, [qid]: surveys.answerAfter(question, this.answers[qid], value) };
    if (this.errors[qid]) this.errors = { ...this.errors, [qid]: '' };
    this.setData({ formError: '' });
    this.render();
  },

  onRate(e) {
    this.change(e, { rating: e.currentTarget.dataset.score });
  },

  onOption(e) {
    this.change(e, { optionId: e.currentTarget.dataset.id });
  },

  onText(e) {
    this.change(e, { text: e.detail.value });
  },

  onSubmit() {
    if (this.submitting || !this.current || this.data.form.answered) return Promise.resolve();
    const { payload, errors } = surveys.checkAnswers(this.current.questions, this.answers);
    if (errors) {
      this.showErrors(errors);
      return Promise.resolve();
    }
    const { studentId, surveyId } = this.current;
    this.submitting = true;
    this.setData({ submitting: true, formError: '' });
    const key = this.submitKey.keyFor({ studentId, surveyId, payload });
    return surveys.submitAnswers(surveyId, studentId, payload, { toast: false, idempotencyKey: key }).then(
      () => {
        this.submitKey.forget();
        wx.showToast({ title: '已提交', icon: 'success' });
        return this.load();
      },
      (err) => {
        if (err.code === 'SURVEY_ANSWER_INVALID') {
          this.submitKey.forget();
          this.showErrors(surveys.refusalErrors(err));
          return undefined;
        }
        if (REFUSED_TITLES[err.code]) {
          this.submitKey.forget();
          notice(REFUSED_TITLES[err.code], err.message);
          return this.load();
        }
        // no answer, or the server was busy: the same tap again resends under the same key
        this.setData({ formError: err.message || '提交失败，请稍后再试' });
        return undefined;
      },
    ).then(() => {
      this.submitting = false;
      this.setData({ submitting: false });
    });
  },

  showErrors(errors) {
    this.errors = { ...errors };
    const first = this.current.questions.find((q) => errors[q.id]);
    this.setData({ formError: errors[''] || (first ? '还有题目没有填好，请看标红的题目' : '') });
    this.render();
  },
});
