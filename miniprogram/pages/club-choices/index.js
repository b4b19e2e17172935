/**
 * 摇号志愿 (lottery choices) for one child in one round. Query: round_id, student_id.
 *
 * The round (GET /selection-rounds/{id}) says its term, whose catalogue the guardian picks from, and the
 * choices saved so far come from the server (GET …/choices/{student_id}), so a list saved on another
 * phone shows here. The guardian orders the clubs (上移 / 下移 / 移除), at most MAX_CHOICES; 保存志愿 sends
 * the whole ordered list (PUT, idempotent) and replaces earlier choices. A refresh takes up a list saved
 * elsewhere meanwhile unless there are changes here not yet saved.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const clubs = require('../../services/clubs');
const { formatTime } = require('../../utils/format');
const { childOf } = require('../../utils/roles');
const { NOT_LOADED, loadPage, notice } = require('../../utils/page');

const MODAL_CODES = ['SELECTION_CLOSED', 'CLUB_NOT_ALLOWED', 'CLUB_NOT_FOUND'];

function clash(a, b) {
  const days = (a.weekdays || []).filter((d) => (b.weekdays || []).indexOf(d) >= 0);
  return days.length > 0 && a.start_time < b.end_time && b.start_time < a.end_time;
}

function sameList(a, b) {
  return a.length === b.length && a.every((id, i) => id === b[i]);
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
    ...NOT_LOADED,
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
    this.chosenIds = [];
    this.savedIds = [];
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  onUnload() {
    setUnloadAlert(false);
  },

  /** The child, the round and its term's catalogue for the child, and the choices saved on the server. */
  load() {
    const opts = { toast: false };
    return loadPage(this, (isLatest) => me(opts)
      .then((profile) => {
        this.child = childOf(profile, this.studentId);
        return Promise.all([
          clubs.getRound(this.roundId, opts)
            .then((round) => clubs.listClubs(round.term_id, this.child.id, opts).then((list) => [round, list])),
          clubs.savedChoices(this.roundId, this.child.id, opts),
        ]);
      })
      .then(([[round, list], saved]) => {
        if (!isLatest()) return;
        const unsaved = !sameList(this.savedIds, this.chosenIds);
        this.round = round;
        this.catalogue = list || [];
        this.clubs = {};
        this.catalogue.forEach((club) => { this.clubs[club.id] = club; });
        // choices of clubs that have left the catalogue (停开) are no longer choices
        this.savedIds = (saved || []).map((club) => club.id).filter((id) => this.clubs[id]);
        // changes made here and not saved yet stay; otherwise show what is saved, wherever it was saved
        this.chosenIds = unsaved ? this.chosenIds.filter((id) => this.clubs[id]) : this.savedIds.slice();
        this.render({ loading: false, loaded: true, errorMessage: '' });
      }));
  },

  render(extra = {}) {
    const round = this.round;
    const limit = clubs.MAX_CHOICES;
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
        categoryLabel: clubs.clubCategoryLabel(club),
        whenWhere: clubs.clubWhenWhere(club),
        clashText: earlier >= 0 ? `与第${earlier + 1}志愿时间冲突，最多录取其中一个` : '',
        first: index === 0,
        last: index === chosen.length - 1,
      };
    });
    const full = this.chosenIds.length >= limit;
    const options = this.catalogue.map((club) => {
      const held = clubs.isHeld(club.my_status);
      const isChosen = this.chosenIds.indexOf(club.id) >= 0;
      let note = '';
      if (held) note = clubs.statusText(club.my_status);
      else if (club.may_choose === false) note = club.reason || '暂不能选择';
      return {
        id: club.id,
        name: club.name,
        categoryLabel: clubs.clubCategoryLabel(club),
        whenWhere: clubs.clubWhenWhere(club),
        seatsText: [`共 ${club.capacity} 个名额`, club.teacher_name ? `指导老师 ${club.teacher_name}` : ''].filter(Boolean).join(' · '),
        chosen: isChosen,
        note,
        canAdd: editable && !isChosen && !held && club.may_choose !== false,
      };
    });
    const dirty = editable && !sameList(this.savedIds, this.chosenIds);
    setUnloadAlert(dirty);
    let savedText = '';
    if (this.savedIds.length) savedText = dirty ? '有改动尚未保存' : `已保存 ${this.savedIds.length} 个志愿`;
    else if (dirty) savedText = '尚未保存';
    this.setData({
      ...extra,
      childName: this.child.name,
      roundName: round.name,
      windowText: `${formatTime(round.opens_at)} 至 ${formatTime(round.closes_at)}`,
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
        // the answer is the truth: show its order
        this.savedIds = (saved || []).map((club) => club.id).filter((id) => this.clubs[id]);
        this.chosenIds = this.savedIds.slice();
        this.render({ saving: false });
        wx.showToast({ title: '志愿已保存', icon: 'success' });
      },
      (err) => {
        this.setData({ saving: false });
        if (MODAL_CODES.indexOf(err.code) >= 0) notice('未能保存', err.message);
        else showErrorToast(err);
      },
    );
  },
});
