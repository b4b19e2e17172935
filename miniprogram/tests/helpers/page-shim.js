/**
 * Turn Page() options into Component() options for miniprogram-simulate: `data` stays, every
 * function (onLoad, onShow, event handlers…) becomes a method. Page lifecycles are not fired
 * automatically: tests call `page.instance.onLoad(query)` / `page.instance.onShow()` themselves
 * (both return the page's promise where the page has one, so tests can await them).
 */
function pageToComponent(options) {
  const methods = {};
  Object.keys(options).forEach((key) => {
    if (typeof options[key] === 'function') methods[key] = options[key];
  });
  return { data: options.data || {}, methods };
}

module.exports = { pageToComponent };
