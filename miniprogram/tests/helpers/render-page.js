/** Load and render a page with miniprogram-simulate (pages register through the Page shim). */
const path = require('path');
const simulate = require('miniprogram-simulate');

const ROOT = path.resolve(__dirname, '..', '..');

// simulate.load runs the page's JS through `require`, which jest caches per test file, so a page
// is loaded once per file and rendered as often as needed.
const loaded = {};

function renderPage(name) {
  if (!loaded[name]) {
    loaded[name] = simulate.load(path.join(ROOT, 'pages', name, 'index'), {
      rootPath: ROOT,
      // the pure-JS template compiler: no native wcc binary needed on CI
      compiler: 'simulate',
    });
  }
  const page = simulate.render(loaded[name]);
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

/** Text of the first node matching selector, whitespace collapsed; null when absent. */
function text(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null;
}

/** Whether a node matches selector (j-component answers undefined when none does). */
function exists(page, selector) {
  return Boolean(page.querySelector(selector));
}

module.exports = { renderPage, text, exists, ROOT };
