import { defineConfig } from 'vitest/config';

/**
 * Unit suites run once; the store contract and API suites run once per SQL dialect, against a real SQLite file
 * and a real PostgreSQL server (127.0.0.1:5432, or POOLKEEPER_TEST_PG_URL).
 */
const perDialect = ['test/api/**/*.test.ts', 'test/store/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...perDialect, 'test/replicas/**', 'test/browser/**'] } },
      // The API Explorer in headless Chromium (/usr/bin/chromium; .ci/run installs it) against a service on SQLite.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'sqlite', include: perDialect, env: { POOLKEEPER_TEST_DIALECT: 'sqlite' } } },
      { extends: true, test: { name: 'postgres', include: [...perDialect, 'test/replicas/**/*.test.ts'], env: { POOLKEEPER_TEST_DIALECT: 'postgres' } } },
    ],
  },
});
