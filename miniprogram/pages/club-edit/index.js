/**
 * 新建 / 编辑社团 (admin). Query: club_id (edit) or term_id (new), and school_id (optional — default the first
 * school where the account is an admin; its staff are the teachers to choose from).
 *
 * The form is ClubIn: name, category (picker), teacher (picker over GET /schools/{id}/staff, or 暂不指定),
 * venue, weekdays (several, at most 5: the term's published service days — a club meets only on those —
 * or any day while no plan is published), start / end time (time pickers), capacity, grades (一…六年级,
 * several), an optional minimum to open, and a description. It is checked here first (required fields, end
 * after start, 1–500 seats, not fewer seats than children already in, minimum ≤ capacity); the server's
 * `fields` then show on their fields (同名社团, 不是本校教职工, 不是课后服务日, …).
 *
 * Cover: wx.chooseMedia → POST /clubs/{id}/cover (services/request.js `upload()`), preview at once. For a new
 * club the picture is kept and uploaded right after the club is created. Pictures over the server's limit
 * (config.maxPhotoBytes) are refused before uploading. Saved → back to the list.
 */
const config = require('../../config/index');
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const clubs = require('../../services/clubs');
const enrollment = require('../../services/enrollment');
const { chooseImage, tooLarge } = require('../../utils/media');
const { GRADE_NAMES, WEEKDAY_NAMES, weekdaysText } = require('../../utils/format');
const { schoolWithRole } = require('../../utils/roles');
const { NOT_LOADED, RELOADING, loadPage } = require('../../utils/page');

const CATEGORY_OPTIONS = Object.keys(clubs.CATEGORY_LABELS).map((key) => ({ key, label: clubs.CATEGORY_LABELS[key] }));
// Any day of the week (ClubIn's Weekday) while the term has no published plan to say which days it serves.
const ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
// ClubIn: weekdays max_length
const MAX_WEEKDAYS = 5;
const GRADES = [1, 2, 3, 4, 5, 6];
// Fields of ClubIn; a server error under any of them (or "weekdays.0") shows on that field.
const FIELDS = ['name', 'category', 'description', 'teacher_staff_id', 'venue', 'weekdays', 'start_time', 'end_time',
  'capacity', 'grades', 'min_to_open'];
const MAX_CAPACITY = 500;

function emptyForm() {
  return {
    name: '',
    category: '',
    description: '',
    teacher_staff_id: 0,
    venue: '',
    weekdays: [],
    start_time: '',
    end_time: '',
    capacity: '',
    grades: [],
    min_to_open: '',
  };
}

function formFromClub(club) {
  return {
    name: club.name || '',
    category: club.category || '',
    description: club.description || '',
    teacher_staff_id: club.teacher_staff_id || 0,
    venue: club.venue || '',
    weekdays: (club.weekdays || []).slice(),
    start_time: club.start_time || '',
    end_time: club.end_time || '',
    capacity: club.capacity ? String(club.capacity) : '',
    grades: (club.grades || []).slice(),
    min_to_open: club.min_to_open ? String(club.min_to_open) : '',
  };
}

function wholeNumber(text) {
  const s = String(text == null ? '' : text).trim();
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/**
 * The form → {payload} (ClubIn) or {errors} keyed by ClubIn field. `enrolled`: children already in the club,
 * the least capacity the server accepts.
 */
function validate(form, { enrolled = 0 } = {}) {
  const errors = {};
  const name = String(form.name || '').trim();
  if (!name) errors.name = '请填写社团名称';
  else if (name.length > 50) errors.name = '名称不能超过 50 个字';
  if (!clubs.CATEGORY_LABELS[form.category]) errors.category = '请选择类别';
  if (!form.weekdays.length) errors.weekdays = '请至少选择一天';
  else if (form.weekdays.length > MAX_WEEKDAYS) errors.weekdays = `最多选择 ${MAX_WEEKDAYS} 天`;
  if (!form.start_time) errors.start_time = '请选择开始时间';
  if (!form.end_time) errors.end_time = '请选择结束时间';
  else if (form.start_time && form.end_time <= form.start_time) errors.end_time = '结束时间须晚于开始时间';
  const capacity = wholeNumber(form.capacity);
  if (String(form.capacity).trim() === '') errors.capacity = '请填写名额';
  else if (Number.isNaN(capacity) || capacity < 1 || capacity > MAX_CAPACITY) errors.capacity = `名额应为 1–${MAX_CAPACITY} 的整数`;
  else if (capacity < enrolled) errors.capacity = `已有 ${enrolled} 人选上，名额不能少于此数`;
  if (!form.grades.length) errors.grades = '请至少选择一个年级';
  let minToOpen = null;
  if (String(form.min_to_open || '').trim() !== '') {
    minToOpen = wholeNumber(form.min_to_open);
    if (Number.isNaN(minToOpen) || minToOpen < 1 || minToOpen > MAX_CAPACITY) errors.min_to_open = `开班人数应为 1–${MAX_CAPACITY} 的整数`;
    else if (!errors.capacity && minToOpen > capacity) errors.min_to_open = '开班人数不能多于名额';
  }
  if (String(form.description || '').length > 2000) errors.description = '简介不能超过 2000 个字';
  if (Object.keys(errors).length) return { errors };
  return {
    payload: {
      name,
      category: form.category,
      description: String(form.description || '').trim(),
      teacher_staff_id: form.teacher_staff_id || null,
      venue: String(form.venue || '').trim(),
      weekdays: form.weekdays.slice().sort((a, b) => a - b),
      start_time: form.start_time,
      end_time: form.end_time,
      capacity,
      grades: form.grades.slice().sort((a, b) => a - b),
      min_to_open: minToOpen,
    },
  };
}

Page({
  data: {
    ...NOT_LOADED,
    isNew: true,
    enrolled: 0,
    waitlisted: 0,
    form: emptyForm(),
    errors: {},
    formError: '',
    categoryOptions: CATEGORY_OPTIONS,
    categoryIndex: -1,
    teacherOptions: [{ id: 0, label: '暂不指定' }],
    teacherIndex: 0,
    dayOptions: [],
    serviceDaysText: '',
    gradeOptions: [],
    coverUrl: '',
    coverUploading: false,
    coverError: '',
    submitting: false,
  },

  onLoad(query = {}) {
    this.clubId = Number(query.club_id) || 0;
    this.termId = Number(query.term_id) || 0;
    this.schoolId = Number(query.school_id) || 0;
    this.pendingCover = '';
    return this.load();
  },

  onRetry: RELOADING.onRetry,

  /**
   * Who I am (my admin school), the club when editing, the school's staff for the teacher picker, and the
   * term's published service days (the days a club may meet).
   */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => me(opts).then((profile) => {
      const school = schoolWithRole(profile, 'admin', this.schoolId);
      if (!school) throw new Error('仅教导处管理员可以编辑社团');
      if (!this.clubId && !this.termId) throw new Error('缺少学期，请从社团管理进入');
      return Promise.all([
        this.clubId ? clubs.getClub(this.clubId, opts) : Promise.resolve(null),
        clubs.listStaff(school.id, opts),
      ]);
    }).then(([club, staff]) => {
      const termId = club ? club.term_id : this.termId;
      return enrollment.getPlan(termId, opts).then((plan) => plan.weekdays, (err) => {
        if (err.code === 'PLAN_NOT_PUBLISHED') return null;
        throw err;
      }).then((serviceDays) => [club, staff, serviceDays]);
    }).then(([club, staff, serviceDays]) => {
      if (!isLatest()) return;
      this.club = club;
      if (club) this.termId = club.term_id;
      this.staff = staff || [];
      this.serviceDays = serviceDays && serviceDays.length ? serviceDays.slice().sort((a, b) => a - b) : null;
      const form = club ? formFromClub(club) : emptyForm();
      this.setData({
        loading: false,
        loaded: true,
        errorMessage: '',
        serviceDaysText: this.serviceDays ? `本学期课后服务日：${weekdaysText(this.serviceDays)}` : '服务方案尚未公示，暂不限活动日',
        isNew: !club,
        enrolled: club ? club.enrolled || 0 : 0,
        waitlisted: club ? club.waitlisted || 0 : 0,
        coverUrl: club ? clubs.coverSrc(club.cover_url) : '',
        errors: {},
        formError: '',
      });
      this.setForm(form);
      if (wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: club ? '编辑社团' : '新建社团' });
    }));
  },

  /** The form and everything shown from it (picker indexes, chips). */
  setForm(form) {
    // the service days; a day the club meets on that is no longer one stays, to be unticked
    const offered = this.serviceDays || ALL_WEEKDAYS;
    const days = offered.concat(form.weekdays.filter((d) => offered.indexOf(d) < 0)).sort((a, b) => a - b);
    const active = this.staff.filter((s) => s.is_active !== false);
    // teachers first, then other staff; the club's current teacher stays even if no longer listed
    const ordered = active.filter((s) => (s.roles || []).indexOf('teacher') >= 0)
      .concat(active.filter((s) => (s.roles || []).indexOf('teacher') < 0));
    const teacherOptions = [{ id: 0, label: '暂不指定' }].concat(ordered.map((s) => ({ id: s.id, label: s.name })));
    if (form.teacher_staff_id && !teacherOptions.some((t) => t.id === form.teacher_staff_id)) {
      teacherOptions.push({ id: form.teacher_staff_id, label: (this.club && this.club.teacher_name) || `教职工 ${form.teacher_staff_id}` });
    }
    const categoryIndex = CATEGORY_OPTIONS.findIndex((c) => c.key === form.category);
    this.setData({
      form,
      categoryIndex,
      teacherOptions,
      teacherIndex: Math.max(0, teacherOptions.findIndex((t) => t.id === (form.teacher_staff_id || 0))),
      dayOptions: days.map((day) => ({
        day, label: WEEKDAY_NAMES[day], selected: form.weekdays.indexOf(day) >= 0,
      })),
      gradeOptions: GRADES.map((grade) => ({
        grade, label: `${GRADE_NAMES[grade]}年级`, selected: form.grades.indexOf(grade) >= 0,
      })),
    });
  },

  /** Change form fields and clear their errors. */
  update(changes) {
    const form = { ...this.data.form, ...changes };
    const errors = { ...this.data.errors };
    Object.keys(changes).forEach((key) => { delete errors[key]; });
    this.setData({ errors, formError: '' });
    this.setForm(form);
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    if (FIELDS.indexOf(field) < 0) return;
    this.update({ [field]: e.detail.value });
  },

  onCategoryChange(e) {
    const option = CATEGORY_OPTIONS[Number(e.detail.value)];
    if (option) this.update({ category: option.key });
  },

  onTeacherChange(e) {
    const option = this.data.teacherOptions[Number(e.detail.value)];
    if (option) this.update({ teacher_staff_id: option.id });
  },

  onToggleDay(e) {
    const day = Number(e.currentTarget.dataset.day);
    const days = this.data.form.weekdays;
    this.update({ weekdays: days.indexOf(day) >= 0 ? days.filter((d) => d !== day) : days.concat(day) });
  },

  onToggleGrade(e) {
    const grade = Number(e.currentTarget.dataset.grade);
    const grades = this.data.form.grades;
    this.update({ grades: grades.indexOf(grade) >= 0 ? grades.filter((g) => g !== grade) : grades.concat(grade) });
  },

  onTimeChange(e) {
    const field = e.currentTarget.dataset.field;
    if (field !== 'start_time' && field !== 'end_time') return;
    // the pair is checked together: a new start can make the end right again
    const errors = { ...this.data.errors };
    delete errors.start_time;
    delete errors.end_time;
    this.setData({ errors });
    this.update({ [field]: e.detail.value });
  },

  // ---------- cover ----------

  onChooseCover() {
    if (this.data.coverUploading) return Promise.resolve();
    return chooseImage().then((file) => {
      if (!file) return null;
      const refusal = tooLarge(file, config.maxPhotoBytes);
      if (refusal) {
        this.setData({ coverError: refusal });
        return null;
      }
      this.setData({ coverError: '' });
      if (!this.clubId) {
        // a new club: show it now, upload once the club exists
        this.pendingCover = file.tempFilePath;
        this.setData({ coverUrl: file.tempFilePath });
        return null;
      }
      return this.uploadCover(file.tempFilePath);
    });
  },

  /** Upload to the saved club; the preview shows the local picture meanwhile. Resolves true when stored. */
  uploadCover(filePath) {
    const previous = this.data.coverUrl;
    this.setData({ coverUrl: filePath, coverUploading: true, coverError: '' });
    return clubs.uploadCover(this.clubId, filePath, { toast: false }).then((club) => {
      this.pendingCover = '';
      this.club = club;
      this.setData({ coverUploading: false, coverUrl: clubs.coverSrc(club.cover_url) || filePath });
      return true;
    }, (err) => {
      this.setData({
        coverUploading: false,
        coverUrl: this.pendingCover ? filePath : previous,
        coverError: `封面上传失败：${err.message || '请稍后再试'}`,
      });
      return false;
    });
  },

  onCoverError() {
    // an expired signed link: keep the form usable, just without the picture
    this.setData({ coverUrl: '' });
  },

  // ---------- save ----------

  onSubmit() {
    if (this.submitting) return Promise.resolve();
    const { payload, errors } = validate(this.data.form, { enrolled: this.data.enrolled });
    if (errors) {
      this.setData({ errors, formError: '请按提示修改标红的内容' });
      return Promise.resolve();
    }
    this.submitting = true;
    this.setData({ submitting: true, errors: {}, formError: '' });
    const creating = !this.clubId;
    const save = creating
      ? clubs.createClub(this.termId, payload, { toast: false })
      : clubs.updateClub(this.clubId, payload, { toast: false });
    return save.then((club) => {
      // from now on this page edits the saved club: pressing 保存 again never creates a second one
      this.clubId = club.id;
      this.club = club;
      this.setData({ isNew: false, enrolled: club.enrolled || 0 });
      return this.pendingCover ? this.uploadCover(this.pendingCover) : true;
    }).then((coverStored) => {
      this.submitting = false;
      this.setData({ submitting: false });
      if (!coverStored) {
        this.setData({ formError: '社团已保存，封面没有传上去：可以重新选择封面，或直接返回。' });
        return;
      }
      wx.showToast({ title: creating ? '已新建社团' : '已保存', icon: 'success' });
      wx.navigateBack();
    }, (err) => {
      this.submitting = false;
      this.setData({ submitting: false });
      this.showServerErrors(err);
    });
  },

  /** The server's `fields` on their fields; a refusal without fields above the button (and as a toast). */
  showServerErrors(err) {
    const fields = err.fields || {};
    const errors = {};
    Object.keys(fields).forEach((key) => {
      const base = key.split('.')[0];
      if (FIELDS.indexOf(base) >= 0 && !errors[base]) errors[base] = fields[key];
    });
    if (err.code === 'CAPACITY_BELOW_ENROLLED' && !errors.capacity) errors.capacity = err.message;
    if (Object.keys(errors).length) {
      this.setData({ errors, formError: '请按提示修改标红的内容' });
      return;
    }
    this.setData({ formError: err.message || '未能保存，请稍后再试' });
    showErrorToast(err);
  },
});
