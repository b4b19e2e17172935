/**
 * The day bar of a page that shows one day (pages/sessions, pages/child-day): ‹ › and 回到今天 (and a date
 * picker where the page has one: onPickDate → showDate) switch `this.date` and reload; the bar says at once
 * which day is coming (`switching`) while what is on screen stays until that day has loaded (no blank screen). The page's `load()` notes
 * `this.shownDate` when a day's data is on screen and ends with restoreDayBar(this, date).
 *
 *   Page({ data: { ...DAY_BAR }, onLoad(q) { startDay(this, q.date); }, ...DAY_SWITCHER, load() { … } })
 */
const attendance = require('../services/attendance');
const { shanghaiToday } = require('./format');

// The bar's data before onLoad.
const DAY_BAR = { date: '', dateTitle: '', isToday: true, switching: false };

/** What the bar shows for `date` (2026-03-10 → 3月10日 周二, and whether that is today). */
function barFor(date) {
  return { date, dateTitle: attendance.dayTitle(date), isToday: date === shanghaiToday() };
}

/** The page's first day: ?date= when it is a date, else today. */
function startDay(page, queryDate) {
  page.date = /^\d{4}-\d{2}-\d{2}$/.test(queryDate || '') ? queryDate : shanghaiToday();
  page.setData(barFor(page.date));
}

/**
 * After a load of `date` (that it succeeded or not): unless another day has been asked for meanwhile, the
 * bar stops switching — and when that day did not load (the toast said why), it goes back to the day on screen.
 */
function restoreDayBar(page, date) {
  if (page.date !== date) return;
  if (page.shownDate && page.shownDate !== date) page.date = page.shownDate;
  page.setData({ switching: false, ...barFor(page.date) });
}

/** The bar's handlers, spread into Page({...}). */
const DAY_SWITCHER = {
  showDate(date) {
    if (!date || date === this.date) return Promise.resolve();
    this.date = date;
    this.setData({ switching: true, ...barFor(date) });
    return this.load();
  },

  onPrevDay() {
    return this.showDate(attendance.addDays(this.date, -1));
  },

  onNextDay() {
    return this.showDate(attendance.addDays(this.date, 1));
  },

  onToday() {
    return this.showDate(shanghaiToday());
  },
};

module.exports = { DAY_BAR, DAY_SWITCHER, startDay, restoreDayBar };
