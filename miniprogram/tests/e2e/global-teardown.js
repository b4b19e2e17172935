/** After the e2e suites: delete the seeded demo database global-setup.js made. */
const fs = require('fs');

const { TEMPLATE_ENV } = require('./backend-env');

module.exports = async function removeTemplate() {
  const template = process.env[TEMPLATE_ENV];
  if (template) fs.rmSync(JSON.parse(template).dir, { recursive: true, force: true });
};
