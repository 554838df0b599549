/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc` in `pretest`; ts-jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // oauth4webapi (the OAuth client of the DPoP and discovery tests) ships ES modules only: transpiled to CommonJS for jest.
    '/node_modules/oauth4webapi/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!oauth4webapi/)'],
  // The package's own name (as examples and bench import it) resolves to the sources, one copy of each
  // module shared with the tests that import lib/ directly; built dist/ is what the process tests run.
  moduleNameMapper: {
    '^express-jwt-auth$': '<rootDir>/lib/index.ts',
    '^express-jwt-auth/(sqlite|postgres|redis)$': '<rootDir>/lib/stores/$1/index.ts',
  },
  testTimeout: 20000,
  // 'default' plus one line at the end for each service whose suites were skipped (no TEST_DATABASE_URL / TEST_REDIS_URL).
  reporters: ['default', '<rootDir>/__tests__/services-skip-reporter.js'],
};
