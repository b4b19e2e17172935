/**
 * 接送放行 (teacher, class head, duty leader, guard, admin; home → 接送放行; query: scan=1 opens the camera at once,
 * student_id= opens the manual check of that child — both from pages/pickup-late).
 *
 * 扫码: WeChat's privacy authorisation first (utils/privacy.js, the page's <privacy-popup>; refused → said, no camera),
 * then wx.scanCode from the camera only (a picture from the album is no proof the adult is here) → POST /pickup/verify
 * → who the adult is ("李娜（母亲）" with their photo when they gave one, or "临时授权：张三（姑姑），由妈妈授权") and each
 * of their children at this school:
 * photo, class, where now, status. The ready ones are ticked; 确认接走 → POST /pickup/handoffs, all or nothing, with
 * an Idempotency-Key kept across taps (a tap again after no answer came gets the first answer) → 已交给 李娜（母亲）
 * 17:23. A refusal (PICKUP_REFUSED) shows each child's reason on their card and nothing is released; a code that
 * expired or was used meanwhile asks for a new scan.
 *
 * 家长没带手机 (the manual check): find the child (GET /schools/{id}/students?q=; not for the guard, who starts from
 * the late list), GET /pickup/students/{id}/adults → pick the adult the teacher checked against the photos and the
 * register, a note of how (required) → POST /pickup/handoffs/manual.
 */
const { me } = require('../../services/auth');
const pickup = require('../../services/pickup');
const { photoSrc } = require('../../services/attendance');
const students = require('../../services/students');
const { schoolWithRole } = require('../../utils/roles');
const { confirm, notice, keyKeeper } = require('../../utils/page');
const { requirePrivacy, REFUSED: PRIVACY_REFUSED } = require('../../utils/privacy');

// Who may search the school's students (the guard may not: GET /schools/{id}/students is for care staff), the same
// staff as walk-home's.
const SEARCHERS = pickup.WALK_HOME_ROLES;
// Refusals of the code itself: a new scan is the way on.
const CODE_ERRORS = ['PICKUP_CODE_EXPIRED', 'PICKUP_CODE_USED', 'PICKUP_CODE_REVOKED', 'PICKUP_CODE_INVALID'];
const NOT_OUR_CODE = '这不是课后接送码。请家长打开课后小程序的「接送码」，再扫一次。';
const NOTE_REQUIRED = '请写明如何核对的，如：核对了身份证，家长未带手机';

/** wx.scanCode as a promise: the text read, or '' when the teacher closed the camera. */
function scanFromCamera() {
  return new Promise((resolve, reject) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve((res && res.result) || ''),
      fail: (err) => {
        if (/cancel/.test((err && err.errMsg) || '')) resolve('');
        else reject(err);
      },
    });
  });
}

/** An adult of GET /pickup/students/{id}/adults as the manual check lists them. */
function adultView(adult) {
  const key = adult.kind === 'delegate' ? `d${adult.delegate_id}` : `g${adult.guardian_id}`;
  const detail = adult.kind === 'delegate'
    ? pickup.delegationDetail({ kind: 'delegate', authorised_by: adult.authorised_by, valid_to: adult.valid_to })
    : '';
  return {
    key,
    photo: photoSrc(adult.photo_url),
    line: adult.kind === 'delegate' ? pickup.adultLine(adult) : pickup.personText(adult.name, adult.relation),
    phone: adult.phone || '',
    allowed: adult.allowed,
    reason: adult.reason || '',
    detail,
  };
}

Page({
  data: {
    // home (the scan button) → verify → done; manual (the search and the adults) → done
    mode: 'home',
    scanning: false,
    scanError: '',
    // verify
    adultLine: '',
    adultPhoto: '',
    adultDetail: '',
    isDelegate: false,
    cards: [],
    selectedCount: 0,
    releasing: false,
    refusal: '',
    codeProblem: '',
    // done
    done: null,
    // manual
    canSearch: true,
    searchText: '',
    searching: false,
    searched: false,
    results: [],
    manualChild: null,
    adults: [],
    adultKey: '',
    note: '',
    noteError: '',
    manualError: '',
  },

  onLoad(query = {}) {
    this.releaseKey = keyKeeper();
    this.manualKey = keyKeeper();
    const studentId = Number(query.student_id) || 0;
    if (studentId) return this.openManual().then(() => this.pickStudent(studentId));
    if (query.scan) return this.onScan();
    return undefined;
  },

  // ---------- scan and verify ----------

  onScan() {
    if (this.data.scanning) return Promise.resolve();
    this.setData({ scanning: true, scanError: '' });
    // the camera is a privacy API: WeChat wants the user's agreement to the guide first (the page's <privacy-popup />)
    return requirePrivacy().then((agreed) => {
      if (!agreed) return this.setData({ scanError: PRIVACY_REFUSED });
      return scanFromCamera().then(
        (text) => (text ? this.verifyCode(text.trim()) : undefined),
        () => this.setData({ scanError: '没能打开相机扫码，请检查微信的相机权限后再试' }),
      );
    }).then(() => this.setData({ scanning: false }));
  },

  verifyCode(code) {
    if (!/^KH/i.test(code)) {
      this.setData({ mode: 'home', scanError: NOT_OUR_CODE });
      return Promise.resolve();
    }
    return pickup.verify(code, { toast: false }).then(
      (answer) => this.showVerified(code, answer),
      (err) => this.setData({ mode: 'home', scanError: err.message }),
    );
  },

  showVerified(code, answer) {
    this.code = code;
    this.releaseKey.forget();
    const cards = (answer.children || []).map((child) => ({ ...pickup.childCard(child), selected: child.status === 'ready', refusal: '' }));
    this.setData({
      mode: 'verify',
      // no name: the adult takes no child of this school, and the server tells nothing more about them
      adultLine: pickup.adultLine(answer.adult) || '不是本校学生的家长或临时接送人',
      adultPhoto: photoSrc(answer.adult.photo_url),
      adultDetail: pickup.delegationDetail(answer.adult),
      isDelegate: answer.adult.kind === 'delegate',
      cards,
      selectedCount: cards.filter((c) => c.selected).length,
      refusal: '',
      codeProblem: '',
    });
  },

  onToggleChild(e) {
    const id = Number(e.currentTarget.dataset.id);
    const cards = this.data.cards.map((c) => (c.id === id && c.ready ? { ...c, selected: !c.selected } : c));
    this.setData({ cards, selectedCount: cards.filter((c) => c.selected).length });
  },

  onRelease() {
    if (this.data.releasing) return Promise.resolve();
    const studentIds = this.data.cards.filter((c) => c.selected).map((c) => c.id);
    if (!studentIds.length) {
      wx.showToast({ title: '请选择要接走的孩子', icon: 'none' });
      return Promise.resolve();
    }
    const body = { code: this.code, studentIds };
    this.setData({ releasing: true, refusal: '' });
    return pickup.release(body, { toast: false, idempotencyKey: this.releaseKey.keyFor(body) }).then(
      (answer) => {
        this.releaseKey.forget();
        this.showDone(answer.released);
      },
      (err) => this.releaseRefused(err, this.releaseKey),
    ).then(() => this.setData({ releasing: false }));
  },

  /**
   * A release that did not happen: no answer → the key is kept for the next tap; the code refused → scan again;
   * children refused → each card says why and is no longer ticked; anything else in a modal.
   */
  releaseRefused(err, key) {
    if (err.code === 'NETWORK_ERROR') {
      wx.showToast({ title: `没有确认：${err.message}，请再点一次`, icon: 'none', duration: 3000 });
      return;
    }
    key.forget();
    if (CODE_ERRORS.indexOf(err.code) >= 0) {
      this.setData({ codeProblem: err.message });
      return;
    }
    const reasons = pickup.refusalsById(err);
    if (err.code === 'PICKUP_REFUSED' && Object.keys(reasons).length) {
      const cards = this.data.cards.map((c) => (reasons[c.id]
        ? { ...c, refusal: reasons[c.id], selected: false, ready: false }
        : c));
      this.setData({ cards, selectedCount: cards.filter((c) => c.selected).length, refusal: err.message });
      return;
    }
    notice('没有交接', err.message);
  },

  showDone(released) {
    const first = released[0];
    this.setData({
      mode: 'done',
      done: {
        handed: pickup.handedText(first),
        names: released.map((r) => r.student_name).join('、'),
        by: first.released_by,
        method: first.method_label,
      },
    });
    if (typeof wx.vibrateShort === 'function') wx.vibrateShort({ type: 'medium' });
  },

  onScanAgain() {
    this.setData({ mode: 'home', done: null, cards: [], codeProblem: '', refusal: '' });
    return this.onScan();
  },

  onBackHome() {
    this.setData({ mode: 'home', done: null, cards: [], codeProblem: '', refusal: '', scanError: '' });
  },

  // ---------- the manual check ----------

  /** 家长没带手机: the search (for staff who may search), from GET /me's school. */
  openManual() {
    this.setData({ mode: 'manual', manualChild: null, adults: [], results: [], searched: false, manualError: '' });
    if (this.profile) return Promise.resolve();
    return me({ toast: false }).then((profile) => {
      this.profile = profile;
      this.school = schoolWithRole(profile, SEARCHERS);
      this.setData({ canSearch: Boolean(this.school) });
    }, (err) => this.setData({ manualError: err.message }));
  },

  onManual() {
    return this.openManual();
  },

  onSearchInput(e) {
    this.setData({ searchText: e.detail.value });
  },

  onSearch() {
    const q = String(this.data.searchText || '').trim();
    if (!q || !this.school || this.data.searching) return Promise.resolve();
    this.setData({ searching: true });
    return students.search(this.school.id, q, { toast: false }).then(
      (found) => this.setData({
        results: found.map((s) => ({ id: s.id, name: s.name, className: s.class_name, studentNo: s.student_no })),
        searched: true,
      }),
      (err) => wx.showToast({ title: err.message, icon: 'none' }),
    ).then(() => this.setData({ searching: false }));
  },

  onPickStudent(e) {
    return this.pickStudent(Number(e.currentTarget.dataset.id));
  },

  /** The child and every adult who may (or may not) take them today. */
  pickStudent(studentId) {
    this.manualKey.forget();
    this.setData({ manualError: '' });
    return pickup.childAdults(studentId, { toast: false }).then((answer) => {
      this.manualStudentId = studentId;
      this.manualAdults = answer.adults || [];
      this.setData({
        manualChild: pickup.childCard(answer.child),
        adults: this.manualAdults.map(adultView),
        adultKey: '',
        note: '',
        noteError: '',
      });
    }, (err) => this.setData({ manualError: err.message }));
  },

  onPickAdult(e) {
    const key = e.currentTarget.dataset.key;
    const adult = this.data.adults.find((a) => a.key === key);
    if (!adult) return;
    if (!adult.allowed) {
      wx.showToast({ title: adult.reason || '此人不能接走该学生', icon: 'none' });
      return;
    }
    this.setData({ adultKey: key });
  },

  onNoteInput(e) {
    this.setData({ note: e.detail.value, noteError: '' });
  },

  onManualRelease() {
    if (this.data.releasing) return Promise.resolve();
    const index = this.data.adults.findIndex((a) => a.key === this.data.adultKey);
    const note = String(this.data.note || '').trim();
    if (index < 0) {
      wx.showToast({ title: '请选择核对过的接送人', icon: 'none' });
      return Promise.resolve();
    }
    if (!note) {
      this.setData({ noteError: NOTE_REQUIRED });
      return Promise.resolve();
    }
    const child = this.data.manualChild;
    const body = { studentId: this.manualStudentId, adult: this.manualAdults[index], note };
    this.setData({ releasing: true });
    return confirm({
      title: '确认交接？',
      content: `把 ${child.name}（${child.className}）交给 ${this.data.adults[index].line}。`,
      confirmText: '确认接走',
    }).then((ok) => {
      if (!ok) return undefined;
      return pickup.releaseManually(body, { toast: false, idempotencyKey: this.manualKey.keyFor(body) }).then(
        (released) => {
          this.manualKey.forget();
          this.showDone([released]);
        },
        (err) => {
          if (err.fields && err.fields.note) {
            this.setData({ noteError: err.fields.note });
            return;
          }
          const reasons = pickup.refusalsById(err);
          if (reasons[this.manualStudentId]) {
            this.manualKey.forget();
            this.setData({ manualError: reasons[this.manualStudentId] });
            return;
          }
          this.releaseRefused(err, this.manualKey);
        },
      );
    }).then(() => this.setData({ releasing: false }));
  },
});
