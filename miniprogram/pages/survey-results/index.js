/**
 * 满意度调查结果 (admin; query: school_id, survey_id — both optional): the current term's published surveys, and one
 * survey's results (GET /surveys/{id}/results):
 *
 *   figures    提交份数 of 应答人数 (the families asked), 参与率, 满意率 (4–5 分 of every rating answer)
 *   per题      评分: a bar per score (5 分 first) as a CSS width, the average and the satisfied rate;
 *              单选/多选: a bar per option; 填空: how many wrote, the texts under 意见建议
 *   意见建议    every free text, newest first (GET /surveys/{id}/suggestions), never a child's name
 *
 * Filters: 全校, a grade, or one class of that grade (the class the child was in when answering). Writing and
 * publishing surveys, and the .xlsx export, are in the web console.
 */
const surveys = require('../../services/surveys');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');
const { schoolTerm, schoolTermLoaded } = require('../../utils/school-term');

const SUGGESTIONS_SHOWN = 20;
const STATE_CLASSES = { open: 'open', scheduled: 'scheduled', closed: 'closed' };

Page({
  data: {
    ...NOT_LOADED,
    schoolName: '',
    termName: '',
    surveys: [],
    surveyId: 0,
    survey: null,
    grades: [],
    classes: [],
    grade: 0,
    classId: 0,
    resultsLoading: false,
    results: null,
    suggestions: [],
    suggestionsTotal: 0,
    showAllSuggestions: false,
  },

  onLoad(query = {}) {
    this.schoolId = Number(query.school_id) || 0;
    this.wantedSurveyId = Number(query.survey_id) || 0;
    this.schoolClasses = null;
  },

  ...RELOADING,

  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => schoolTerm(this, { roles: ['admin'], refusal: '只有教导处管理员可以查看调查结果' }, opts)
      .then(() => Promise.all([
        surveys.termSurveys(this.term.id, opts),
        this.schoolClasses ? Promise.resolve(this.schoolClasses) : surveys.schoolClasses(this.school.id, opts),
      ]))
      .then(([list, classes]) => {
        if (!isLatest()) return undefined;
        this.schoolClasses = classes || [];
        // drafts have no results yet: they are written and published in the web console
        const shown = (list || []).filter((s) => s.status !== 'draft');
        const wanted = this.data.surveyId || this.wantedSurveyId;
        const current = shown.find((s) => s.id === wanted) || shown[0] || null;
        this.setData({
          ...schoolTermLoaded(this),
          surveys: shown.map((s) => ({
            id: s.id, title: s.title, stateLabel: s.state_label, stateClass: STATE_CLASSES[s.state] || 'closed',
            responses: s.responses,
          })),
          surveyId: current ? current.id : 0,
          survey: current ? { title: current.title, stateLabel: current.state_label, audience: current.audience_label } : null,
          grades: surveys.filterOptions(this.schoolClasses),
          classes: this.data.grade ? surveys.classOptions(this.schoolClasses, this.data.grade) : [],
        });
        return current ? this.loadResults() : this.setData({ results: null, suggestions: [], suggestionsTotal: 0 });
      }));
  },

  /** The chosen survey's results and suggestions for the chosen filter; only the latest call shows. */
  loadResults() {
    this.resultsSeq = (this.resultsSeq || 0) + 1;
    const seq = this.resultsSeq;
    const filter = { grade: this.data.grade, classId: this.data.classId };
    const opts = { toast: false };
    this.setData({ resultsLoading: true });
    return Promise.all([
      surveys.results(this.data.surveyId, filter, opts),
      surveys.suggestions(this.data.surveyId, filter, opts),
    ]).then(([results, texts]) => {
      if (seq !== this.resultsSeq) return;
      this.suggestionItems = surveys.suggestionsView(texts.items);
      this.setData({ resultsLoading: false, results: surveys.resultsView(results) });
      this.renderSuggestions();
    }, (err) => {
      if (seq !== this.resultsSeq) return;
      this.setData({ resultsLoading: false });
      // the first load's failure shows the error screen; a later one says so in a toast
      if (!this.data.results) throw err;
      wx.showToast({ title: err.message || '加载失败，请稍后再试', icon: 'none' });
    });
  },

  renderSuggestions() {
    const all = this.suggestionItems || [];
    this.setData({
      suggestions: this.data.showAllSuggestions ? all : all.slice(0, SUGGESTIONS_SHOWN),
      suggestionsTotal: all.length,
    });
  },

  onSurvey(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (id === this.data.surveyId) return Promise.resolve();
    const chosen = this.data.surveys.find((s) => s.id === id);
    this.setData({
      surveyId: id,
      survey: chosen ? { ...this.data.survey, title: chosen.title, stateLabel: chosen.stateLabel } : this.data.survey,
      showAllSuggestions: false,
    });
    return this.loadResults().catch(() => undefined);
  },

  onGrade(e) {
    const grade = Number(e.currentTarget.dataset.grade) || 0;
    if (grade === this.data.grade && !this.data.classId) return Promise.resolve();
    this.setData({
      grade, classId: 0, classes: grade ? surveys.classOptions(this.schoolClasses, grade) : [], showAllSuggestions: false,
    });
    return this.loadResults().catch(() => undefined);
  },

  onClass(e) {
    const classId = Number(e.currentTarget.dataset.class) || 0;
    if (classId === this.data.classId) return Promise.resolve();
    this.setData({ classId, showAllSuggestions: false });
    return this.loadResults().catch(() => undefined);
  },

  onAllSuggestions() {
    this.setData({ showAllSuggestions: true });
    this.renderSuggestions();
  },
});
