// The vitest config Stryker runs inside its sandbox copy of the repo (see stryker.config.mjs).
// It is the shared project config (what every packages/*/vitest.config.ts uses), rooted at the
// target project, plus aliases: workspace packages are symlinks into the
// real checkout, so without them `@roomcast/protocol` would load the unmutated sources and every
// mutant would "survive". The aliases point at the sandbox's (mutated) sources instead.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import '../vitest.node20.js';
import shared from '../vitest.shared.js';
import { TARGETS } from './targets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.env.MUTATE_TARGET ?? 'protocol';
const target = (TARGETS as Record<string, { project: string; include?: string[]; exclude?: string[]; testTimeout?: number }>)[name];
if (!target) throw new Error(`MUTATE_TARGET ${name} is not one of ${Object.keys(TARGETS).join(', ')}`);

const config = mergeConfig(
  shared,
  defineProject({
    root: resolve(root, target.project),
    resolve: {
      alias: [
        { find: /^@roomcast\/protocol$/, replacement: resolve(root, 'packages/protocol/src/index.ts') },
        // Subpaths (`@roomcast/protocol/server-api`, `/files`, `/client`) are files of the same name.
        { find: /^@roomcast\/protocol\/([a-z-]+)$/, replacement: resolve(root, 'packages/protocol/src/$1.ts') },
        // @roomcast/server (tests of the server API and sendFile) must share the sandbox's protocol classes.
        { find: /^@roomcast\/server$/, replacement: resolve(root, 'packages/server/src/index.ts') },
        { find: /^@roomcast\/client$/, replacement: resolve(root, 'packages/client/src/node.ts') },
        { find: /^@roomcast\/client\/files$/, replacement: resolve(root, 'packages/client/src/files/index.ts') },
      ],
    },
  }),
);
// A target may name its test files, and a run may narrow them further (`pnpm mutate core --tests
// test/core.test.ts,…` sets MUTATE_TESTS); set, not merged (mergeConfig would append to `include`).
const include = process.env.MUTATE_TESTS?.split(',').filter(Boolean) ?? target.include;
if (include) config.test = { ...config.test, include };
if (target.exclude) config.test = { ...config.test, exclude: [...(config.test?.exclude ?? ['**/node_modules/**']), ...target.exclude] };
if (target.testTimeout) config.test = { ...config.test, testTimeout: target.testTimeout };
export default config;
