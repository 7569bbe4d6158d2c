// Unit tests sit beside the code (libs/*/src/**/*.test.ts); integration tests run a real stack
// (tests/integration) and need root, runc and redis-server: `npm test` installs them first.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
const moduleNameMapper = { '^@berth/(.*)$': '<rootDir>/libs/$1/src' };
const common = { rootDir: __dirname, testEnvironment: 'node', transform, moduleNameMapper, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/*/src/**/*.test.ts', '<rootDir>/apps/*/src/**/*.test.ts', '<rootDir>/tools/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'], globalTeardown: '<rootDir>/tests/integration/global-teardown.js', testTimeout: 120000, slowTestThreshold: 30 },
  ],
};
