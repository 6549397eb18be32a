/**
 * Unit tests and browser tests both live in test/. The browser tests drive Debian Chromium against
 * the minified bundle (`npm test` builds it first) and the real backend, imported from ../backend.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
  },
  testTimeout: 30000,
};
