/**
 * `npm test` runs both projects:
 *   unit  jsdom + miniprogram-simulate, a mocked `wx` (tests/setup.js, tests/helpers/fake-wx.js)
 *   e2e   Node, the real services/request.js against the real backend on loopback
 *         (skipped only when ../.venv/bin/python is missing)
 */
module.exports = {
  // Jest reads testTimeout only here, not per project: long enough for the e2e suites' real backend.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/**/*.test.js'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],
      setupFiles: ['<rootDir>/tests/setup.js'],
      snapshotSerializers: ['miniprogram-simulate/jest-snapshot-plugin'],
      testTimeout: 10000,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e.test.js'],
      // one seeded demo database for the run; each suite's server gets a copy (tests/e2e/global-setup.js)
      globalSetup: '<rootDir>/tests/e2e/global-setup.js',
      globalTeardown: '<rootDir>/tests/e2e/global-teardown.js',
      testTimeout: 120000,
    },
  ],
};
