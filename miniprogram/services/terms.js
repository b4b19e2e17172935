/**
 * Terms (学期), over services/request.js: a school's terms, one term, and the term to work on now —
 * shared by the 课后服务 and 社团 pages. Every function takes request options last.
 */
const { request } = require('./request');
const { shanghaiToday } = require('../utils/format');

/**
 * The term to work on, like the server's current_term: the one running today (or marked current), else
 * the next to start, else the latest. `today` is a 'YYYY-MM-DD' school date.
 */
function pickCurrentTerm(terms, today = shanghaiToday()) {
  const list = (terms || []).slice().sort((a, b) => (a.starts_on < b.starts_on ? -1 : 1));
  if (!list.length) return null;
  const running = list.find((t) => t.is_current || (t.starts_on <= today && today <= t.ends_on));
  return running || list.find((t) => t.starts_on > today) || list[list.length - 1];
}

/** GET /schools/{id}/terms → [{id, school_id, name, starts_on, ends_on, is_current}] */
function listTerms(schoolId, options = {}) {
  return request({ url: `/schools/${schoolId}/terms`, ...options });
}

/** GET /terms/{id} → {id, school_id, name, starts_on, ends_on, is_current} */
function getTerm(termId, options = {}) {
  return request({ url: `/terms/${termId}`, ...options });
}

/** The school's current term (pickCurrentTerm); rejects with code NO_TERM when it has none. */
function currentTerm(schoolId, options = {}) {
  return listTerms(schoolId, options).then((terms) => {
    const term = pickCurrentTerm(terms);
    if (!term) {
      const err = new Error('学校尚未设置学期');
      err.code = 'NO_TERM';
      throw err;
    }
    return term;
  });
}

module.exports = { pickCurrentTerm, getTerm, currentTerm };
