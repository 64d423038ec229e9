import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration StrykerJS runs (stryker.config.mjs): the unit tests of what it mutates — the domain rules,
 * the error catalogue, request signing and the signature verifier — in one project, without the service processes
 * other unit tests start.
 */
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts', 'test/errors/**/*.test.ts', 'test/signing/**/*.test.ts', 'test/server/auth/**/*.test.ts', 'test/client/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
