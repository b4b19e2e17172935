/**
 * WeChat's privacy authorisation on a fake wx (tests/helpers/fake-wx.js), as the base library does it:
 *
 *   const privacy = addPrivacyApis(fake);            // the user has not agreed to the guide yet
 *   addPrivacyApis(fake, { agreed: true });          // agreed before: no popup
 *
 * wx.requirePrivacyAuthorize succeeds at once once agreed; otherwise it fires the wx.onNeedPrivacyAuthorization
 * listener (as a privacy API would) and waits for its resolve: {event: 'agree', buttonId} → success (and agreed from
 * then on), {event: 'disagree'} → fail. `privacy.resolved` lists every resolve({...}) the page made.
 */
function addPrivacyApis(fake, { agreed = false } = {}) {
  const state = { agreed, listener: null, resolved: [] };
  fake.wx.onNeedPrivacyAuthorization = jest.fn((listener) => { state.listener = listener; });
  fake.wx.openPrivacyContract = jest.fn();
  fake.wx.requirePrivacyAuthorize = jest.fn(({ success, fail }) => {
    if (state.agreed) {
      setTimeout(() => success({ errMsg: 'requirePrivacyAuthorize:ok' }), 0);
      return;
    }
    if (!state.listener) {
      setTimeout(() => fail({ errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized' }), 0);
      return;
    }
    state.listener((answer) => {
      state.resolved.push(answer);
      if (answer.event === 'agree') {
        state.agreed = true;
        setTimeout(() => success({ errMsg: 'requirePrivacyAuthorize:ok' }), 0);
      } else if (answer.event === 'disagree') {
        setTimeout(() => fail({ errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized' }), 0);
      }
    }, { referrer: 'requirePrivacyAuthorize' });
  });
  return state;
}

module.exports = { addPrivacyApis };
