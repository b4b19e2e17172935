/**
 * 通过 / 退回 on a list of applications: what pages/review (班主任) and pages/approval (教导处) share.
 *
 * The page keeps `rejectingId` (the application whose reason box is open, 0 = none), `rejectReason` and
 * `rejectError` in its data, and has `decide(id, decision, comment)`. A rejection needs a reason, which
 * the guardian sees:
 *
 *   Page({ ...reviewHandlers('退回须填写原因，家长会看到'), decide(id, decision, comment) { … } })
 */

// No reason box open.
const REJECT_CLOSED = { rejectingId: 0, rejectReason: '', rejectError: '' };

/** The page handlers for 通过 and the reason box; `reasonRequired` is said when 确认 is tapped without one. */
function reviewHandlers(reasonRequired) {
  return {
    onApprove(e) {
      return this.decide(Number(e.currentTarget.dataset.id), 'approve', null);
    },

    onRejectOpen(e) {
      this.setData({ ...REJECT_CLOSED, rejectingId: Number(e.currentTarget.dataset.id) });
    },

    onRejectCancel() {
      this.setData(REJECT_CLOSED);
    },

    onRejectInput(e) {
      this.setData({ rejectReason: e.detail.value, rejectError: '' });
    },

    onRejectConfirm() {
      const reason = String(this.data.rejectReason || '').trim();
      if (!reason) {
        this.setData({ rejectError: reasonRequired });
        return Promise.resolve();
      }
      return this.decide(this.data.rejectingId, 'reject', reason);
    },
  };
}

/**
 * A refused decision (request.js has toasted the server's message): the reason box shows the server's
 * word on the reason; true when the application changed meanwhile (decided by someone else, withdrawn)
 * and the list should be read again.
 */
function refusedDecision(page, err) {
  if (err.fields && err.fields.comment) page.setData({ rejectError: err.fields.comment });
  return err.code === 'APPLICATION_STATE' || err.code === 'APPLICATION_NOT_FOUND';
}

module.exports = { REJECT_CLOSED, reviewHandlers, refusedDecision };
