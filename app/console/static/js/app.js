/**
 * The console's shell: login, who is logged in, the school and term pickers, and hash routes
 * (#/dashboard, #/applications, …; a page may read a query after its path, as #/surveys?id=3 does). Each page
 * is a module under pages/ exporting `render(view, ctx)`; it may return a function that stops its timers when the
 * page is left.
 */
import { api, ApiError, login, logout, session, setUnauthenticatedHandler } from './api.js';
import { fill, h, toast } from './ui.js';

const ROUTES = [
  { path: 'dashboard', title: '数据看板', page: () => import('./pages/dashboard.js'), district: true },
  { path: 'applications', title: '申请审核', page: () => import('./pages/applications.js') },
  { path: 'roster', title: '花名册导入', page: () => import('./pages/roster.js') },
  { path: 'clubs', title: '社团目录', page: () => import('./pages/clubs.js') },
  { path: 'care-groups', title: '看护班', page: () => import('./pages/care-groups.js') },
  { path: 'duty', title: '值班表', page: () => import('./pages/duty.js') },
  { path: 'pickup', title: '放学看板', page: () => import('./pages/pickup.js') },
  { path: 'surveys', title: '满意度调查', page: () => import('./pages/surveys.js') },
];
const DEFAULT_ROUTE = 'dashboard';
const SCHOOL_KEY = 'kehou.console.school';
const termKey = (schoolId) => `kehou.console.term.${schoolId}`;

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  schools: [], // [{ id, name, admin }]: schools where the caller is an admin, or reads as the district
  school: null,
  terms: [],
  term: null,
};
let leavePage = null; // the current page's clean-up
let renderSeq = 0;

// ---------- login ----------

function showLogin(message) {
  stopPage();
  state.me = null;
  $('shell').hidden = true;
  $('login-screen').hidden = false;
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-username').focus();
}

async function onLogin(event) {
  event.preventDefault();
  const button = $('login-submit');
  const form = new FormData(event.target);
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    await login(String(form.get('username')).trim(), String(form.get('password')));
    await start();
  } catch (error) {
    $('login-error').textContent = error instanceof ApiError ? error.message : '登录失败，请稍后再试';
  } finally {
    button.disabled = false;
  }
}

// ---------- who, which school, which term ----------

/** The schools this console serves the caller: where they are an admin, or read as the district (dashboard only). */
function consoleSchools(me) {
  return me.schools
    .filter((s) => s.roles.includes('admin') || s.roles.includes('district'))
    .map((s) => ({ id: s.id, name: s.name, admin: s.roles.includes('admin') }));
}

async function start() {
  const me = await api.get('/me');
  const schools = consoleSchools(me);
  if (!schools.length) {
    logout();
    showLogin('网页后台仅供学校管理员（教导处）和教育局使用；教师请使用小程序。');
    return;
  }
  state.me = me;
  state.schools = schools;
  $('who').textContent = me.name;
  fill($('school-select'), schools.map((s) => h('option', { value: String(s.id) }, s.name)));
  $('school-select').disabled = schools.length < 2;
  const remembered = Number(sessionStorage.getItem(SCHOOL_KEY));
  await chooseSchool(schools.find((s) => s.id === remembered) || schools[0]);
  $('login-screen').hidden = true;
  $('shell').hidden = false;
  if (!location.hash || location.hash === '#/' || location.hash === '#/login') location.hash = `#/${DEFAULT_ROUTE}`;
  else render();
}

async function chooseSchool(school) {
  state.school = school;
  sessionStorage.setItem(SCHOOL_KEY, String(school.id));
  $('school-select').value = String(school.id);
  state.terms = await api.get(`/schools/${school.id}/terms`);
  const remembered = Number(sessionStorage.getItem(termKey(school.id)));
  const term = state.terms.find((t) => t.id === remembered) || state.terms.find((t) => t.is_current)
    || state.terms[state.terms.length - 1] || null;
  fill($('term-select'), state.terms.length
    ? state.terms.map((t) => h('option', { value: String(t.id) }, t.is_current ? `${t.name}（本学期）` : t.name))
    : h('option', { value: '' }, '尚无学期'));
  chooseTerm(term);
  renderNav();
}

function chooseTerm(term) {
  state.term = term;
  if (term) {
    sessionStorage.setItem(termKey(state.school.id), String(term.id));
    $('term-select').value = String(term.id);
  }
}

// ---------- routes ----------

function routeFor(hash) {
  const path = (hash || '').replace(/^#\/?/, '').split('?')[0];
  return ROUTES.find((r) => r.path === path) || null;
}

function allowed(route) {
  return state.school && (state.school.admin || route.district);
}

function renderNav() {
  const current = routeFor(location.hash);
  fill($('nav'), ROUTES.filter(allowed).map((r) => h('a', {
    href: `#/${r.path}`,
    class: current && current.path === r.path ? 'active' : '',
    'aria-current': current && current.path === r.path ? 'page' : false,
  }, r.title)));
}

function stopPage() {
  if (leavePage) {
    try { leavePage(); } catch (e) { /* a page's clean-up must not block the next one */ }
    leavePage = null;
  }
}

async function render() {
  if (!state.me) return;
  const route = routeFor(location.hash);
  if (!route || !allowed(route)) {
    location.hash = `#/${DEFAULT_ROUTE}`;
    return;
  }
  stopPage();
  renderNav();
  const seq = ++renderSeq;
  const view = $('view');
  document.title = `${route.title} · 课后管理后台`;
  fill(view, h('h1', {}, route.title), h('div', { class: 'loading' }, '加载中…'));
  const ctx = {
    me: state.me,
    school: state.school,
    term: state.term,
    isAdmin: state.school.admin,
    // true once the user has moved on: a page checks it before touching the view after an await
    get stale() { return seq !== renderSeq; },
  };
  try {
    const page = await route.page();
    if (ctx.stale) return;
    const body = h('div', { class: 'page' });
    fill(view, h('h1', {}, route.title), body);
    const cleanup = await page.render(body, ctx);
    if (ctx.stale) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    leavePage = typeof cleanup === 'function' ? cleanup : null;
  } catch (error) {
    if (ctx.stale || (error instanceof ApiError && error.status === 401)) return;
    fill(view, h('h1', {}, route.title),
      h('div', { class: 'alert error', role: 'alert' }, error instanceof ApiError ? error.message : '页面加载失败，请刷新重试'));
    if (!(error instanceof ApiError)) console.error(error); // eslint-disable-line no-console
  }
}

// ---------- wiring ----------

setUnauthenticatedHandler((error) => showLogin(error.message || '登录已失效，请重新登录'));

$('login-form').addEventListener('submit', onLogin);
$('logout').addEventListener('click', () => {
  logout();
  sessionStorage.removeItem(SCHOOL_KEY);
  location.hash = '#/login';
  showLogin('已退出登录');
});
$('school-select').addEventListener('change', async (event) => {
  const school = state.schools.find((s) => s.id === Number(event.target.value));
  try {
    await chooseSchool(school);
    render();
  } catch (error) {
    toast(error.message || '切换学校失败', 'error');
  }
});
$('term-select').addEventListener('change', (event) => {
  chooseTerm(state.terms.find((t) => t.id === Number(event.target.value)) || null);
  render();
});
window.addEventListener('hashchange', render);

if (session.token) {
  start().catch((error) => showLogin(error instanceof ApiError ? error.message : '加载失败，请重新登录'));
} else {
  showLogin();
}
