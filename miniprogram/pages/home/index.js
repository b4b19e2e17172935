/**
 * Home: who am I (GET /me) and what I can do here. A person may be a guardian and staff at once,
 * so every section that applies is shown.
 */
const { me } = require('../../services/auth');
const { showErrorToast } = require('../../services/request');
const { STAFF_ROLES, ADMIN_ENTRIES, roleLabel, staffEntriesFor } = require('../../utils/roles');

function viewModel(profile) {
  const roles = profile.roles || [];
  const children = profile.children || [];
  const schools = profile.schools || [];
  const isStaff = roles.some((role) => STAFF_ROLES.indexOf(role) >= 0);
  const isAdmin = roles.indexOf('admin') >= 0;
  const isDistrict = roles.indexOf('district') >= 0;
  const isGuardian = roles.indexOf('guardian') >= 0 || children.length > 0;
  return {
    greeting: profile.name ? `${profile.name}，您好` : '您好',
    rolesText: roles.map(roleLabel).join(' · '),
    // Someone with no role yet is most likely a parent who has not bound a child.
    showGuardian: isGuardian || (!isStaff && !isAdmin && !isDistrict),
    isStaff,
    isAdmin,
    isDistrict,
    children: children.map((child) => ({
      id: child.id,
      name: child.name,
      relation: child.relation || '',
      meta: [child.class_name, child.school_name].filter(Boolean).join(' · '),
    })),
    workSchools: schools
      .filter((school) => (school.roles || []).some((role) => role !== 'district'))
      .map((school) => ({
        id: school.id,
        name: school.name,
        rolesText: school.roles.filter((role) => role !== 'district').map(roleLabel).join('、'),
      })),
    staffEntries: staffEntriesFor(roles),
    adminEntries: ADMIN_ENTRIES,
  };
}

Page({
  data: {
    loading: true,
    errorMessage: '',
    loaded: false,
    greeting: '您好',
    rolesText: '',
    showGuardian: false,
    isStaff: false,
    isAdmin: false,
    isDistrict: false,
    children: [],
    workSchools: [],
    staffEntries: [],
    adminEntries: [],
  },

  onShow() {
    // onShow (not onLoad) so the page refreshes when the bind page navigates back.
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  load() {
    const firstLoad = !this.data.loaded;
    if (firstLoad) this.setData({ loading: true, errorMessage: '' });
    return me({ toast: false }).then(
      (profile) => {
        this.setData({ ...viewModel(profile), loading: false, loaded: true, errorMessage: '' });
      },
      (err) => {
        if (firstLoad) {
          this.setData({ loading: false, errorMessage: err.message });
        } else {
          // keep showing what we have; say why it did not refresh
          showErrorToast(err);
        }
      },
    );
  },

  onRetry() {
    return this.load();
  },

  goBind() {
    wx.navigateTo({ url: '/pages/bind/index' });
  },

  onSoon() {
    wx.showToast({ title: '即将上线，敬请期待', icon: 'none' });
  },
});
