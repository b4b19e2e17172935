/**
 * The school of a staff page (GET /me, asked once): `staffSchool` alone (放学接送's pages), or with the term the
 * server calls current, for a page that works on one school's current term (社团管理, 临时班, 看护报名, 服务日历):
 * my school with a given role (GET /me; the page's ?school_id=, kept as `page.schoolId`, first) and the
 * term the server calls current. Asked once and kept on the page (`page.school`, `page.term`): a reload
 * (onShow, pull-down) reads only the term's data again.
 */
const { me } = require('../services/auth');
const terms = require('../services/terms');
const { schoolWithRole } = require('./roles');
const { loadPage } = require('./page');

/**
 * Resolves once `page.school` and `page.term` are set. Without a school where I have one of `roles` it
 * fails with `refusal` (the error screen says it). `pick(profile)`, instead of `roles`, chooses the school
 * for a page with its own rule (an admin school first; a school where I am staff); null → `refusal`.
 */
function schoolTerm(page, { roles, pick, refusal }, opts = { toast: false }) {
  if (page.school && page.term) return Promise.resolve();
  return me(opts).then((profile) => {
    const school = pick ? pick(profile) : schoolWithRole(profile, roles, page.schoolId);
    if (!school) throw new Error(refusal);
    return terms.currentTerm(school.id, opts).then((term) => {
      page.school = school;
      page.term = term;
    });
  });
}

/**
 * Resolves with `page.school`: my school where I have one of `roles` (the page's ?school_id=, kept as
 * `page.schoolId`, first), asked once and kept with the profile (`page.profile`); none → fails with `refusal`.
 */
function staffSchool(page, { roles, refusal }, opts = { toast: false }) {
  if (page.school) return Promise.resolve(page.school);
  return me(opts).then((profile) => {
    const school = schoolWithRole(profile, roles, page.schoolId);
    if (!school) throw new Error(refusal);
    page.profile = profile;
    page.school = school;
    return school;
  });
}

/**
 * A staff page's load (loadPage) once its school is known (staffSchool with `access`, `{ roles, refusal }`):
 * `work(school, isLatest)` reads the page's data and shows it. `loadOptions` are loadPage's (`quiet`).
 */
function loadStaffPage(page, access, work, loadOptions) {
  return loadPage(page, (isLatest) => staffSchool(page, access).then((school) => work(school, isLatest)), loadOptions);
}

/** What a loaded page of this kind shows besides its own data: the school's and the term's names. */
function schoolTermLoaded(page) {
  return { loading: false, loaded: true, errorMessage: '', schoolName: page.school.name, termName: page.term.name };
}

module.exports = { staffSchool, loadStaffPage, schoolTerm, schoolTermLoaded };
