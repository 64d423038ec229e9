// @ts-check
/**
 * Mutation testing of the domain rules, the error catalogue and AK/SK request signing: `npm run mutation` (see the README's "Mutation
 * testing"). StrykerJS changes the code under test one small edit (a "mutant") at a time and runs the unit tests
 * that reach it; a mutant no test notices ("survived") is a rule the tests do not pin down.
 *
 * Mutants no test can catch (equivalent mutants: the program behaves the same) are marked where they are, with
 * `// Stryker disable next-line <mutator>: <reason>` comments, so the score counts only mutants a test could kill;
 * `grep -rn "Stryker disable" src` lists them.
 *
 * `break` fails the run under 90% overall; the table it prints should show every file at 90% or more too.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: ['src/domain/**/*.ts', 'src/errors/**/*.ts', 'src/signing/**/*.ts', 'src/server/auth/signature.ts'],
  coverageAnalysis: 'perTest',
  // Reruns test only the mutants whose code or tests changed since the last run (the file is not committed).
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
