/**
 * 课后 Kehou — mini-program configuration.
 *
 * baseUrl    the backend's API root (`make run` serves http://127.0.0.1:8000).
 *            In production this must be an https domain whitelisted in the admin console.
 * devOpenid  local runs only. When non-empty, login sends the code `dev:<devOpenid>:<nonce>`
 *            instead of the real wx.login code; the backend's fake WeChat server accepts it
 *            when no real WeChat credentials are configured. Demo openids:
 *            demo-guardian, demo-teacher, demo-classhead, demo-admin, demo-duty, demo-guard.
 *            Keep it empty for anything that talks to a real backend.
 */
module.exports = {
  baseUrl: 'http://127.0.0.1:8000/api/v1',
  devOpenid: '',
  // wx.request timeout (ms); a crowded school gate has poor signal, so fail fast and retry.
  timeout: 15000,
  // Waits (ms) before the 1st and 2nd retry after a network failure (idempotent calls, GETs, login).
  networkRetryDelays: [300, 1000],
  // The largest picture the server takes (MAX_PHOTO_BYTES, app/core/config.py `max_photo_bytes`): pages refuse
  // bigger ones before uploading; the server checks again either way.
  maxPhotoBytes: 2 * 1024 * 1024,
};
