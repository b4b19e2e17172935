/**
 * Load and render a page with miniprogram-simulate (pages register through the Page shim), open it the way
 * WeChat does, act on it, and read it.
 */
const fs = require('fs');
const path = require('path');
const simulate = require('miniprogram-simulate');
const { flush } = require('./fake-wx');

const ROOT = path.resolve(__dirname, '..', '..');

// simulate.load runs the page's JS through `require`, which jest caches per test file, so a page
// is loaded once per file and rendered as often as needed. The same goes for a shared component (components/):
// its JS would not run again for a second page that uses it, so each is loaded once and handed to every page
// by its id.
const loaded = {};
const components = {};
// the pure-JS template compiler: no native wcc binary needed on CI
const LOAD_OPTIONS = { rootPath: ROOT, compiler: 'simulate' };

function componentId(tag, usingPath) {
  if (!components[usingPath]) components[usingPath] = simulate.load(path.join(ROOT, usingPath), tag, LOAD_OPTIONS);
  return components[usingPath];
}

function renderPage(name) {
  if (!loaded[name]) {
    const dir = path.join(ROOT, 'pages', name);
    const using = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')).usingComponents || {};
    const usingComponents = {};
    Object.keys(using).forEach((tag) => { usingComponents[tag] = componentId(tag, using[tag]); });
    loaded[name] = simulate.load(path.join(dir, 'index'), { ...LOAD_OPTIONS, usingComponents });
  }
  const page = simulate.render(loaded[name]);
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

/**
 * Render a page and open it with `query`: onLoad and onShow, those the page has; resolves once the
 * page's own loading is done (both return the page's promise).
 */
async function openPage(name, query = {}) {
  const page = renderPage(name);
  if (typeof page.instance.onLoad === 'function') await page.instance.onLoad(query);
  if (typeof page.instance.onShow === 'function') await page.instance.onShow();
  return page;
}

/** Fire an event on the first node matching selector; simulate delivers it on a timer, so wait for the handler. */
async function fire(page, selector, type, detail, ticks = 20) {
  page.querySelector(selector).dispatchEvent(type, detail === undefined ? undefined : { detail });
  await flush(ticks);
}

const tap = (page, selector, ticks) => fire(page, selector, 'tap', undefined, ticks);
const type = (page, selector, value, ticks) => fire(page, selector, 'input', { value }, ticks);
const pick = (page, selector, value, ticks) => fire(page, selector, 'change', { value }, ticks);

/** Text of the first node matching selector, whitespace collapsed; null when absent. */
function text(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null;
}

/** Whether a node matches selector (j-component answers undefined when none does). */
function exists(page, selector) {
  return Boolean(page.querySelector(selector));
}

/** The trimmed text of every node matching selector. */
function texts(page, selector) {
  return page.querySelectorAll(selector).map((n) => n.dom.textContent.trim());
}

module.exports = { renderPage, openPage, fire, tap, type, pick, text, texts, exists, ROOT };
