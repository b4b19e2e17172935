/**
 * Students (app/people/router.py), over services/request.js:
 *   staff: a school's students — GET /schools/{id}/students?q= matches a name, a student number or pinyin initials
 *   (the manual check at the gate, the children of an incident; care staff, not the guard);
 *   a guardian: one child's record with the photo's signed link, and the child's photo — upload (POST, by upload():
 *   wx.uploadFile cannot PUT) and delete. Uploading needs the guardian's 照片 consent (services/privacy.js).
 */
const { request, upload } = require('./request');
const { photoSrc } = require('./attendance');

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

/**
 * GET /students/{id} → StudentOut: {id, name, class_name, has_photo, photo_url, …}. `photo_url` (a signed link an
 * <image> loads for about an hour) is given to the child's own guardians only; null when there is no photo.
 */
function get(studentId, options = {}) {
  return request({ url: `/students/${studentId}`, ...options });
}

/**
 * POST /students/{id}/photo, multipart field `file` (a JPG or PNG from wx.chooseMedia) → StudentOut with the new
 * photo_url. 403 PHOTO_CONSENT_REQUIRED without the guardian's current 照片 consent, 415 PHOTO_NOT_IMAGE,
 * 413 PHOTO_TOO_LARGE, 409 STUDENT_ERASED. Sent again as it is (it replaces the photo): no key.
 */
function uploadPhoto(studentId, filePath, options = {}) {
  return upload({ url: `/students/${studentId}/photo`, filePath, name: 'file', ...options });
}

/** DELETE /students/{id}/photo → 204: the child's photo is gone (a repeat is harmless). */
function deletePhoto(studentId, options = {}) {
  return request({ url: `/students/${studentId}/photo`, method: 'DELETE', idempotent: true, ...options });
}

/** A child's photo as a page shows it: {photo: the <image> src ('' when none), hasPhoto}; null → none. */
function photoView(student) {
  return { photo: photoSrc(student && student.photo_url), hasPhoto: Boolean(student && student.has_photo) };
}

module.exports = { search, get, uploadPhoto, deletePhoto, photoView, SEARCH_PAGE_SIZE, SEARCHER_ROLES };
