/**
 * wx.uploadFile and wx.chooseMedia for a fake wx (tests/helpers/fake-wx.js).
 *
 *   const fake = installFakeWx();
 *   addUpload(fake);                       // fake.wx.uploadFile answers from fake.route('POST', path, …)
 *   chooseImages(fake, { tempFilePath: 'wxfile://tmp/a.png', size: 1024 });   // or null: cancelled
 *
 * An upload goes through the fake's wx.request as a POST, so it is answered by the same routes and recorded
 * in `fake.calls` with `data: {upload: {name, filePath, formData}}`; like WeChat, the answer's body reaches
 * the caller as a string (uploadFile never parses JSON).
 */
function addUpload(fake) {
  fake.wx.uploadFile = jest.fn((options) => {
    fake.wx.request({
      url: options.url,
      method: 'POST',
      header: options.header,
      data: { upload: { name: options.name, filePath: options.filePath, formData: options.formData, timeout: options.timeout } },
      success: (res) => {
        if (options.success) {
          const body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
          options.success({ statusCode: res.statusCode, data: body, errMsg: 'uploadFile:ok' });
        }
      },
      fail: () => {
        if (options.fail) options.fail({ errMsg: 'uploadFile:fail timeout' });
      },
    });
    return { abort() {}, onProgressUpdate() {} };
  });
  return fake;
}

/** wx.chooseMedia answers with these files in turn (null: the user cancelled); the last repeats. */
function chooseImages(fake, ...files) {
  let next = 0;
  fake.wx.chooseMedia = jest.fn((options) => {
    const file = files[Math.min(next, files.length - 1)];
    next += 1;
    setTimeout(() => {
      if (file) options.success({ type: 'image', tempFiles: [{ fileType: 'image', size: 50 * 1024, ...file }] });
      else options.fail({ errMsg: 'chooseMedia:fail cancel' });
    }, 0);
  });
  return fake;
}

module.exports = { addUpload, chooseImages };
