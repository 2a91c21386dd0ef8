// StrykerJS configuration for `pnpm mutate <target>` (see mutation/targets.mjs and docs/testing.md).
// The target comes from MUTATE_TARGET, set by mutation/run.mjs. Runs are incremental: results are
// kept in reports/mutation/<target>.incremental.json (git-ignored: about 2 MB per target, rewritten
// by every run), so a rerun on the same checkout only retests mutants whose code or tests changed.
import { createRequire } from 'node:module';
import { TARGETS } from './mutation/targets.mjs';

const require = createRequire(import.meta.url);
const name = process.env.MUTATE_TARGET ?? 'protocol';
const target = TARGETS[name];
if (!target) throw new Error(`MUTATE_TARGET ${name} is not one of ${Object.keys(TARGETS).join(', ')}`);

export default {
  // pnpm does not hoist the runner next to @stryker-mutator/core, so name it by path.
  plugins: [require.resolve('@stryker-mutator/vitest-runner')],
  testRunner: 'vitest',
  vitest: {
    configFile: 'mutation/vitest.config.ts',
    // `related` asks vite's module graph which tests import a file; the aliases defeat it.
    // perTest coverage below still runs only the tests that reach each mutant.
    related: false,
  },
  coverageAnalysis: 'perTest',
  mutate: target.mutate,
  // apps/relay/dist stays: the cluster tests start some relay nodes as processes (dist/main.js, not
  // mutated) next to the in-process (mutated) nodes.
  ignorePatterns: ['**/dist/**', '!apps/relay/dist/**', 'coverage', 'reports', '.vitest-artifacts', 'test-results', 'docs/*.png'],
  // A shared 2-core machine: one test runner by default (MUTATE_CONCURRENCY=2 on an idle one).
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 85, low: 75, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
