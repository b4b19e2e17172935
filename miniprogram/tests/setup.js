/**
 * Unit-test environment (jsdom): miniprogram-simulate defines the global `Component`; pages are
 * registered as components through the `Page` shim; `wx` is a fake (tests/helpers/fake-wx.js)
 * that each test may replace with its own (`installFakeWx()`).
 */
require('miniprogram-simulate');
const { pageToComponent } = require('./helpers/page-shim');
const { createFakeWx } = require('./helpers/fake-wx');

// Like tdesign-miniprogram's `global.Page = (options) => Component(options)`, but a Page keeps its
// handlers at the top level while a Component wants them under `methods`, so move them there.
global.Page = (options) => Component(pageToComponent(options));
global.App = () => {};
global.getApp = () => ({ globalData: {} });
global.getCurrentPages = () => [];
global.wx = createFakeWx().wx;
