/** Server answers shared by the survey page tests (shapes as app/surveys/schemas.py). */

const NOW = Date.UTC(2026, 11, 1, 2, 0); // 2026-12-01 10:00 in Shanghai

const RATING_OPTIONS = ['非常不满意', '不满意', '一般', '满意', '非常满意'].map((text, i) => ({ id: i + 1, text }));

const QUESTIONS = [
  { id: 1, kind: 'rating', kind_label: '评分', text: '总体满意度', required: true, options: RATING_OPTIONS },
  {
    id: 2, kind: 'single', kind_label: '单选', text: '孩子愿意参加吗', required: true,
    options: [{ id: 1, text: '很愿意' }, { id: 2, text: '比较愿意' }, { id: 3, text: '不太愿意' }],
  },
  {
    id: 3, kind: 'multiple', kind_label: '多选', text: '希望增加哪些活动', required: false,
    options: [{ id: 1, text: '体育' }, { id: 2, text: '阅读' }, { id: 3, text: '科技' }],
  },
  { id: 4, kind: 'text', kind_label: '填空', text: '意见和建议', required: false, options: [] },
];

function mySurvey(overrides = {}) {
  return {
    id: 9, title: '本学期课后服务满意度调查', intro: '请如实填写。', state: 'open', closes_at: '2026-12-20T10:00:00Z',
    questions: QUESTIONS, answered: false, response: null, ...overrides,
  };
}

function response(answers, overrides = {}) {
  return { survey_id: 9, student_id: 11, submitted_at: '2026-12-01T01:30:00Z', answers, ...overrides };
}

function child(surveys, overrides = {}) {
  return {
    student_id: 11, student_name: '李小明', school_id: 1, school_name: '示范小学', class_name: '一年级1班', surveys,
    ...overrides,
  };
}

function surveyOut(overrides = {}) {
  return {
    id: 9, school_id: 1, term_id: 5, title: '本学期课后服务满意度调查', intro: '', audience: 'in_care',
    audience_label: '参加课后服务的学生家长', status: 'published', state: 'open', state_label: '进行中',
    opens_at: null, closes_at: null, published_at: '2026-11-24T01:00:00Z', closed_at: null, questions: QUESTIONS,
    responses: 3, created_at: '2026-11-23T01:00:00Z', updated_at: '2026-11-24T01:00:00Z', ...overrides,
  };
}

function ratingResult(counts) {
  const answered = counts.reduce((a, b) => a + b, 0);
  const share = (n) => (answered ? Math.round((n * 10000) / answered) / 100 : 0);
  const labels = ['非常不满意', '不满意', '一般', '满意', '非常满意'];
  return {
    distribution: counts.map((count, i) => ({ score: i + 1, label: labels[i], count, share: share(count) })),
    average: answered ? Math.round((counts.reduce((s, n, i) => s + n * (i + 1), 0) * 100) / answered) / 100 : 0,
    satisfied: counts[3] + counts[4],
    satisfied_rate: share(counts[3] + counts[4]),
  };
}

function results({ label = '全校', grade = null, classId = null, counts = [0, 0, 1, 1, 1] } = {}) {
  const answered = counts.reduce((a, b) => a + b, 0);
  return {
    survey: surveyOut(),
    filter: { grade, class_id: classId, label },
    responses: answered,
    eligible: 4,
    response_rate: Math.round((answered * 10000) / 4) / 100,
    rating_answers: answered,
    satisfied_answers: counts[3] + counts[4],
    satisfied_rate: ratingResult(counts).satisfied_rate,
    questions: [
      {
        question_id: 1, kind: 'rating', kind_label: '评分', text: '总体满意度', required: true, answered,
        rating: ratingResult(counts),
      },
      {
        question_id: 2, kind: 'single', kind_label: '单选', text: '孩子愿意参加吗', required: true, answered,
        options: [{ option_id: 1, text: '很愿意', count: answered, share: answered ? 100 : 0 },
          { option_id: 2, text: '比较愿意', count: 0, share: 0 }, { option_id: 3, text: '不太愿意', count: 0, share: 0 }],
      },
      { question_id: 4, kind: 'text', kind_label: '填空', text: '意见和建议', required: false, answered: 1, texts: [] },
    ],
  };
}

function suggestion(text, overrides = {}) {
  return {
    question_id: 4, question_text: '意见和建议', text, grade: 1, class_name: '一年级1班',
    submitted_at: '2026-11-30T09:00:00Z', ...overrides,
  };
}

const CLASSES = [
  { id: 3, school_id: 1, grade: 1, number: 1, name: '一年级1班', head_staff_id: null, student_count: 40 },
  { id: 4, school_id: 1, grade: 1, number: 2, name: '一年级2班', head_staff_id: null, student_count: 40 },
  { id: 9, school_id: 1, grade: 4, number: 1, name: '四年级1班', head_staff_id: null, student_count: 40 },
];

module.exports = {
  NOW, QUESTIONS, mySurvey, response, child, surveyOut, results, suggestion, ratingResult, CLASSES,
};
