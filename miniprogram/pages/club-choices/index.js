/**
 * 摇号志愿 (lottery choices) for one child in one round. Query: round_id, student_id, term_id (optional;
 * the clubs page passes it, otherwise the school's current term is used).
 *
 * The guardian picks clubs from the term's catalogue and orders them (上移 / 下移 / 移除), at most
 * MAX_CHOICES; 保存志愿 sends the whole ordered list (PUT, idempotent) and replaces earlier choices.
 * The API has no way to read saved choices back, so the last saved list is also kept on this phone
 * (storage `kehou.clubChoices.<round>.<student>`) to show the saved state when the page is opened again.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const clubs = require('../../services/clubs');

const MODAL_CODES = ['SELECTION_CLOSED', 'CLUB_NOT_ALLOWED', 'CLUB_NOT_FOUND'];

function storageKey(roundId, studentId) {
  return `kehou.clubChoices.${roundId}.${studentId}`;
}

function readSaved(roundId, studentId) {
  try {
    const saved = wx.getStorageSync(storageKey(roundId, studentId));
    return saved && Array.isArray(saved.club_ids) ? saved : null;
  } catch (e) {
    return null;
  }
}

function writeSaved(roundId, studentId, clubIds, savedAt) {
  try {
    wx.setStorageSync(storageKey(roundId, studentId), { club_ids: clubIds, saved_at: savedAt });
  } catch (e) {
    // storage full: the server has the choices anyway
  }
}

function clash(a, b) {
  const days = (a.weekdays || []).filter((d) => (b.weekdays || []).indexOf(d) >= 0);
  return days.length > 0 && a.start_time < b.end_time && b.start_time < a.end_time;
}

function sameList(a, b) {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** "周二 16:00–16:40 · 美术教室" */
function whenWhere(club) {
  return [`${clubs.weekdaysText(club.weekdays)} ${club.start_time}–${club.end_time}`, club.venue].filter(Boolean).join(' · ');
}

function setUnloadAlert(on) {
  try {
    if (on && wx.enableAlertBeforeUnload) wx.enableAlertBeforeUnload({ message: '志愿还没有保存，确定离开吗？' });
    if (!on && wx.disableAlertBeforeUnload) wx.disableAlertBeforeUnload();
  } catch (e) {
    // older WeChat versions: no reminder
  }
}

Page({
  data: {
    loading: true,
    loaded: false,
    errorMessage: '',
    childName: '',
    roundName: '',
    windowText: '',
    maxPerChild: 0,
    editable: false,
    closedMessage: '',
    limit: clubs.MAX_CHOICES,
    choices: [],
    options: [],
    full: false,
    dirty: false,
    savedText: '',
    saving: false,
  },

  onLoad(query = {}) {
    this.roundId = Number(query.round_id) || 0;
    this.studentId = Number(query.student_id) || 0;
    this.termId = Number(query.term_id) || 0;
    this.chosenIds = [];
    this.savedIds = null;
    this.savedAt = '';
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onUnload() {
    setUnloadAlert(false);
  },

  load() {
    const firstLoad = !this.data.loaded;
    if (firstLoad) this.setData({ loading: true, errorMessage: '' });
    const opts = { toast: false };
    return me(opts)
      .then((profile) => {
        const child = (profile.children || []).find((c) => c.id === this.studentId);
        if (!child) {
          const err = new Error('未找到该孩子，请从首页重新进入');
          err.code = 'CHILD_NOT_FOUND';
          throw err;
        }
        this.child = child;
        const term = this.termId ? Promise.resolve({ id: this.termId }) : clubs.currentTerm(child.school_id, opts);
        return term;
      })
      .then((term) => Promise.all([clubs.listRounds(term.id, opts), clubs.listClubs(term.id, this.child.id, opts)]))
      .then(([rounds, list]) => {
        const round = (rounds || []).find((r) => r.id === this.roundId);
        if (!round) {
          const err = new Error('未找到该轮选课');
          err.code = 'ROUND_NOT_FOUND';
          throw err;
        }
        this.round = round;
        this.clubs = {};
        (list || []).forEach((club) => { this.clubs[club.id] = club; });
        this.catalogue = list || [];
        if (firstLoad) {
          const saved = readSaved(this.roundId, this.studentId);
          if (saved) {
            this.savedIds = saved.club_ids.filter((id) => this.clubs[id]);
            this.savedAt = saved.saved_at || '';
            this.chosenIds = this.savedIds.slice();
          }
        } else {
          this.chosenIds = this.chosenIds.filter((id) => this.clubs[id]);
        }
        this.render({ loading: false, loaded: true, errorMessage: '' });
      })
      .catch((err) => {
        if (firstLoad) this.setData({ loading: false, errorMessage: err.message || '加载失败，请稍后再试' });
        else showErrorToast(err);
      });
  },

  render(extra = {}) {
    const round = this.round;
    const limit = Math.min(clubs.MAX_CHOICES, 10);
    const lottery = round.mode === 'lottery';
    const editable = lottery && round.is_open && !round.drawn_at;
    let closedMessage = '';
    if (!lottery) closedMessage = '这一轮是先到先得，请在社团页直接选择';
    else if (round.drawn_at) closedMessage = '已摇号，结果请在社团页查看';
    else if (!round.is_open) closedMessage = '现在不在摇号志愿填报时间内';

    const chosen = this.chosenIds.map((id) => this.clubs[id]);
    const choices = chosen.map((club, index) => {
      const earlier = chosen.slice(0, index).findIndex((other) => clash(club, other));
      return {
        id: club.id,
        index,
        rankText: `第${index + 1}志愿`,
        name: club.name,
        categoryLabel: club.category_label || clubs.categoryLabel(club.category),
        whenWhere: whenWhere(club),
        clashText: earlier >= 0 ? `与第${earlier + 1}志愿时间冲突，最多录取其中一个` : '',
        first: index === 0,
        last: index === chosen.length - 1,
      };
    });
    const full = this.chosenIds.length >= limit;
    const options = this.catalogue.map((club) => {
      const held = club.my_status === 'enrolled' || club.my_status === 'waitlisted';
      const isChosen = this.chosenIds.indexOf(club.id) >= 0;
      let note = '';
      if (held) note = clubs.statusText(club.my_status);
      else if (club.may_choose === false) note = club.reason || '暂不能选择';
      return {
        id: club.id,
        name: club.name,
        categoryLabel: club.category_label || clubs.categoryLabel(club.category),
        whenWhere: whenWhere(club),
        seatsText: [`共 ${club.capacity} 个名额`, club.teacher_name ? `指导老师 ${club.teacher_name}` : ''].filter(Boolean).join(' · '),
        chosen: isChosen,
        note,
        canAdd: editable && !isChosen && !held && club.may_choose !== false,
      };
    });
    const dirty = editable && (this.savedIds ? !sameList(this.savedIds, this.chosenIds) : this.chosenIds.length > 0);
    setUnloadAlert(dirty);
    let savedText = '';
    if (this.savedIds && this.savedIds.length) {
      savedText = dirty ? '有改动尚未保存' : `已保存 ${this.savedIds.length} 个志愿${this.savedAt ? `（${clubs.formatTime(this.savedAt)}）` : ''}`;
    } else if (dirty) {
      savedText = '尚未保存';
    }
    this.setData({
      ...extra,
      childName: this.child.name,
      roundName: round.name,
      windowText: `${clubs.formatTime(round.opens_at)} 至 ${clubs.formatTime(round.closes_at)}`,
      maxPerChild: round.max_per_child,
      editable,
      closedMessage,
      limit,
      choices,
      options,
      full,
      dirty,
      savedText,
    });
  },

  onRetry() {
    return this.load();
  },

  onAdd(e) {
    const id = Number(e.currentTarget.dataset.id);
    if (!this.data.editable || this.chosenIds.indexOf(id) >= 0) return;
    if (this.chosenIds.length >= this.data.limit) {
      wx.showToast({ title: `最多填 ${this.data.limit} 个志愿`, icon: 'none' });
      return;
    }
    const club = this.clubs[id];
    if (!club || club.may_choose === false) return;
    this.chosenIds = this.chosenIds.concat(id);
    this.render();
  },

  move(index, delta) {
    const to = index + delta;
    if (!this.data.editable || index < 0 || to < 0 || to >= this.chosenIds.length) return;
    const ids = this.chosenIds.slice();
    [ids[index], ids[to]] = [ids[to], ids[index]];
    this.chosenIds = ids;
    this.render();
  },

  onMoveUp(e) {
    this.move(Number(e.currentTarget.dataset.index), -1);
  },

  onMoveDown(e) {
    this.move(Number(e.currentTarget.dataset.index), 1);
  },

  onRemove(e) {
    const index = Number(e.currentTarget.dataset.index);
    if (!this.data.editable) return;
    this.chosenIds = this.chosenIds.filter((_, i) => i !== index);
    this.render();
  },

  /** PUT the ordered list; the server answers with the chosen clubs in that order. */
  onSave() {
    if (this.data.saving || !this.data.editable) return Promise.resolve();
    if (!this.chosenIds.length) {
      wx.showToast({ title: '请至少选择一个社团', icon: 'none' });
      return Promise.resolve();
    }
    const ids = this.chosenIds.slice();
    this.setData({ saving: true });
    return clubs.saveChoices(this.roundId, this.studentId, ids, { toast: false }).then(
      (saved) => {
        this.savedIds = (saved || []).map((club) => club.id);
        this.savedAt = new Date().toISOString();
        writeSaved(this.roundId, this.studentId, this.savedIds, this.savedAt);
        // the answer is the truth: show its order
        this.chosenIds = this.savedIds.filter((id) => this.clubs[id]);
        this.render({ saving: false });
        wx.showToast({ title: '志愿已保存', icon: 'success' });
      },
      (err) => {
        this.setData({ saving: false });
        if (MODAL_CODES.indexOf(err.code) >= 0) {
          wx.showModal({ title: '未能保存', content: err.message, showCancel: false, confirmText: '知道了' });
        } else {
          showErrorToast(err);
        }
      },
    );
  },
});
