/**
 * One jest config; tiers are chosen by file name:
 *   *.unit.test.ts      pure code, no servers
 *   *.workflow.test.ts  Temporal's time-skipping test server
 *   *.int.test.ts       the Temporal dev server, the event store, the API
 *   *.e2e.test.ts       a real browser
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/domain', '<rootDir>/eventstore', '<rootDir>/projections', '<rootDir>/api', '<rootDir>/identity', '<rootDir>/workflows', '<rootDir>/activities'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  // cookie 2 (used by fastify.inject via light-my-request) ships only ES modules, which jest cannot require.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
