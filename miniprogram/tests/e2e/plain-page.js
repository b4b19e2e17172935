/**
 * A page's own code without rendering it, for the Node e2e suites (no DOM): the page's Page() options get a
 * plain `this` with data and setData (top-level keys only), and tests call its handlers as taps would.
 *
 *   const page = await openPage('application', { student_id: '3' });   // onLoad, then onShow if it has one
 *   page.data.items; await page.onApprove(event({ id: 7 }));
 */

// Page(options) → the options, once per page module (require caches the module).
const pageOptions = {};
function pageOptionsOf(name) {
  if (!pageOptions[name]) {
    const previous = global.Page;
    global.Page = (options) => { pageOptions[name] = options; };
    try {
      require(`../../pages/${name}/index`);
    } finally {
      global.Page = previous;
    }
  }
  return pageOptions[name];
}

/** A page instance the way the framework makes one: its data, its handlers, and setData. */
function createPage(name) {
  const options = pageOptionsOf(name);
  const page = { data: JSON.parse(JSON.stringify(options.data || {})) };
  Object.keys(options).forEach((key) => {
    if (typeof options[key] === 'function') page[key] = options[key];
  });
  page.setData = function setData(patch) {
    Object.assign(this.data, patch);
  };
  return page;
}

/** Create the page and open it with `query`: onLoad, then onShow when it has one; resolves once both have. */
async function openPage(name, query = {}) {
  const page = createPage(name);
  await page.onLoad(query);
  if (page.onShow) await page.onShow();
  return page;
}

/** The event a tap (dataset) or an input (detail) hands a handler. */
const event = (dataset = {}, detail = {}) => ({ currentTarget: { dataset }, detail });

module.exports = { createPage, openPage, event };
