/**
 * Unit tests of the Pulumi program under Pulumi's mocks (test/, one suite per stack file) and of
 * its pure functions. Each test file runs the program at most once, in its own module registry.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30000,
};
