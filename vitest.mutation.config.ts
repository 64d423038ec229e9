import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration StrykerJS runs (stryker.config.mjs): the unit tests of what it mutates — the domain rules,
 * request signing and the signature verifier — in one project, without the service processes other unit tests start.
 */
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/signing/**/*.test.ts', 'test/server/auth/**/*.test.ts', 'test/client/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
