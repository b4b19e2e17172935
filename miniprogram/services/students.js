/**
 * A school's students (学生列表与搜索), over services/request.js: GET /schools/{id}/students?q= matches a name, a
 * student number or pinyin initials (app/people/router.py). For staff who work with children (not the guard).
 */
const { request } = require('./request');

const SEARCH_PAGE_SIZE = 20;
// Who may search (the route's care staff; not the guard).
const SEARCHER_ROLES = ['teacher', 'class_head', 'duty_leader', 'admin'];

/** GET /schools/{id}/students?q=&page_size= → [StudentOut] (the first page: a search, not a roster). */
function search(schoolId, q, options = {}) {
  return request({
    url: `/schools/${schoolId}/students`,
    data: { q, page_size: SEARCH_PAGE_SIZE },
    ...options,
  }).then((page) => (page && page.items) || []);
}

module.exports = { search, SEARCH_PAGE_SIZE, SEARCHER_ROLES };
