/**
 * Bind a child: 学号 + 学生姓名 + 家长手机号 must match what the school registered.
 * Checks the obvious locally; the server decides (and rate-limits wrong guesses).
 */
const { bindChild } = require('../../services/guardian');
const { showErrorToast } = require('../../services/request');
const { normalisePhone, phoneProblem } = require('../../utils/phone');

// server field name → [data key for the inline error, label used in front of the server's text]
const SERVER_FIELDS = {
  student_no: ['studentNoError', '学号'],
  student_name: ['studentNameError', '学生姓名'],
  phone: ['phoneError', '手机号'],
};

function validate({ studentNo, studentName, phone }) {
  const errors = { studentNoError: '', studentNameError: '', phoneError: '' };
  if (!studentNo) errors.studentNoError = '请输入学号';
  if (!studentName) errors.studentNameError = '请输入学生姓名';
  errors.phoneError = phoneProblem(phone, '请输入家长手机号');
  return errors;
}

function hasErrors(errors) {
  return Object.keys(errors).some((key) => errors[key]);
}

Page({
  data: {
    studentNo: '',
    studentName: '',
    phone: '',
    studentNoError: '',
    studentNameError: '',
    phoneError: '',
    formError: '',
    submitting: false,
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [field]: e.detail.value, [`${field}Error`]: '', formError: '' });
  },

  onSubmit() {
    if (this.data.submitting) return Promise.resolve();
    const form = {
      studentNo: String(this.data.studentNo || '').trim(),
      studentName: String(this.data.studentName || '').trim(),
      phone: normalisePhone(this.data.phone),
    };
    const errors = validate(form);
    if (hasErrors(errors)) {
      this.setData({ ...errors, formError: '' });
      return Promise.resolve();
    }

    this.setData({ ...errors, formError: '', submitting: true });
    return bindChild(form, { toast: false }).then(
      (result) => {
        this.setData({ submitting: false });
        const name = (result && result.student && result.student.name) || '孩子';
        wx.showToast({ title: `已绑定${name}`, icon: 'success' });
        wx.navigateBack({
          delta: 1,
          fail: () => wx.reLaunch({ url: '/pages/home/index' }),
        });
      },
      (err) => {
        const update = { submitting: false };
        const fields = err.fields || {};
        const known = Object.keys(fields).filter((key) => SERVER_FIELDS[key]);
        if (known.length) {
          known.forEach((key) => {
            const [dataKey, label] = SERVER_FIELDS[key];
            update[dataKey] = `${label}${fields[key]}`;
          });
          this.setData(update);
          wx.showToast({ title: '请检查标红的内容', icon: 'none' });
          return;
        }
        if (err.code === 'BIND_NOT_MATCHED' || err.code === 'BIND_RATE_LIMITED'
            || err.code === 'GUARDIAN_ALREADY_BOUND') {
          update.formError = err.message;
        }
        this.setData(update);
        showErrorToast(err);
      },
    );
  },
});
