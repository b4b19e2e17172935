const enrollment = require('../services/enrollment');
const { application, signature } = require('./helpers/enrollment-fixtures');

test('money and labels in Chinese', () => {
  expect(enrollment.yuan(30000)).toBe('300');
  expect(enrollment.yuan(12345)).toBe('123.45');
  expect(enrollment.statusLabel(null)).toBe('尚未申请');
  expect(enrollment.statusLabel('class_approved')).toBe('待教导处审定');
  expect(enrollment.pickupLabel('self')).toBe('自行回家');
  expect(enrollment.priorityLabel('migrant')).toBe('进城务工随迁子女');
  expect(enrollment.actionLabel('class_reject')).toBe('班主任退回');
});

test('an application as the pages show it: Chinese, school time, the statement only for 自行回家', () => {
  expect(enrollment.applicationFacts(application('submitted', {
    priority: ['migrant', 'low_income'], note: '周三外婆接', signature: signature(2),
  }))).toEqual({
    id: 31,
    studentName: '李小明',
    className: '一年级1班',
    weekdaysText: '周一至周五',
    pickupText: '家长接送',
    selfStatement: '',
    priorities: ['进城务工随迁子女', '家庭经济困难'],
    note: '周三外婆接',
    submittedAt: '2026-02-21 09:30',
    signed: true,
  });
  const self = enrollment.applicationFacts(application('submitted', { pickup_mode: 'self', self_statement: '家在学校对面', weekdays: [1, 3] }));
  expect([self.pickupText, self.selfStatement, self.weekdaysText, self.signed]).toEqual(['自行回家', '家在学校对面', '周一、周三', false]);
  // a statement left over from an earlier self pickup is not shown
  expect(enrollment.applicationFacts(application('submitted', { self_statement: '旧的说明' })).selfStatement).toBe('');
});
