const { hasRole, schoolsWithRole } = require('../utils/roles');

test('hasRole: one of the roles at that school, a role or a list; no school or no roles is false', () => {
  const school = { id: 1, roles: ['teacher', 'duty_leader'] };
  expect(hasRole(school, 'duty_leader')).toBe(true);
  expect(hasRole(school, ['admin', 'teacher'])).toBe(true);
  expect(hasRole(school, ['admin', 'guard'])).toBe(false);
  expect(hasRole({ id: 2 }, 'teacher')).toBe(false);
  expect(hasRole(null, 'teacher')).toBe(false);
  expect(hasRole(undefined, ['teacher'])).toBe(false);
});

test('schoolsWithRole keeps the schools where hasRole holds, in order', () => {
  const profile = { schools: [{ id: 1, roles: ['admin'] }, { id: 2, roles: ['teacher'] }, { id: 3 }, { id: 4, roles: ['teacher', 'admin'] }] };
  expect(schoolsWithRole(profile, 'teacher').map((s) => s.id)).toEqual([2, 4]);
  expect(schoolsWithRole(null, 'teacher')).toEqual([]);
});
