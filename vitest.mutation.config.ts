import { defineConfig } from 'vitest/config';
import { unitTests } from './vitest.config.js';

/** The vitest configuration StrykerJS runs (stryker.config.mjs): the unit tests only, as one project. */
export default defineConfig({
  test: { ...unitTests, testTimeout: 30_000 },
});
