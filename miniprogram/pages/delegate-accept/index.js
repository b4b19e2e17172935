/**
 * 确认临时接送 (the delegate; opened from the invitation a guardian shared from pages/pickup-delegates; query: code):
 * enter the phone number the guardian gave → POST /pickup/delegates/accept binds the invitation to this WeChat
 * account (once) → the 接送码 page, whose code now also takes that child on those days.
 *
 * A wrong phone or an unknown code (DELEGATE_INVITE_INVALID), a revoked or past invitation (DELEGATE_INVITE_CLOSED)
 * and one another account took (DELEGATE_INVITE_USED) are said on the form.
 */
const pickup = require('../../services/pickup');
const { normalisePhone, phoneProblem } = require('../../utils/phone');

const CODE_PAGE = '/pages/pickup-code/index';

Page({
  data: {
    code: '',
    phone: '',
    phoneError: '',
    formError: '',
    submitting: false,
  },

  onLoad(query = {}) {
    const code = String(query.code || '').trim();
    this.setData({ code, formError: code ? '' : '邀请链接不完整，请让孩子家长重新发送邀请' });
  },

  onInput(e) {
    this.setData({ phone: e.detail.value, phoneError: '', formError: '' });
  },

  onAccept() {
    if (this.data.submitting || !this.data.code) return Promise.resolve();
    const phone = normalisePhone(this.data.phone);
    const problem = phoneProblem(phone, '请输入家长登记的您的手机号');
    if (problem) {
      this.setData({ phoneError: problem });
      return Promise.resolve();
    }
    this.setData({ submitting: true, phoneError: '', formError: '' });
    return pickup.acceptDelegation(this.data.code, phone, { toast: false }).then(
      (delegation) => {
        this.setData({ submitting: false });
        wx.showToast({ title: `已确认，可以接${delegation.student_name}了`, icon: 'none', duration: 2500 });
        wx.redirectTo({ url: CODE_PAGE, fail: () => wx.reLaunch({ url: CODE_PAGE }) });
      },
      (err) => {
        const fields = err.fields || {};
        this.setData({
          submitting: false,
          phoneError: fields.phone ? `手机号${fields.phone}` : '',
          formError: fields.phone ? '' : err.message,
        });
      },
    );
  },
});
