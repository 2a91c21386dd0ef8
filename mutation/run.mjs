#!/usr/bin/env node
// `pnpm mutate <target> [stryker options]`: runs StrykerJS over one folder (mutation/targets.mjs).
// Ignores the literal `--` pnpm 12 passes through. Example: `pnpm mutate protocol`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const name = args.shift();
// `--tests a.test.ts,b.test.ts` (paths relative to the target's project) narrows the test files,
// so a scoped run (with Stryker's own `--mutate file,file`) stays short on a shared machine.
const testsAt = args.indexOf('--tests');
const tests = testsAt >= 0 ? args.splice(testsAt, 2)[1] : undefined;
if (!name || !(name in TARGETS)) {
  console.error(`usage: pnpm mutate <${Object.keys(TARGETS).join('|')}> [stryker options]`);
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The package's `exports` hide bin/stryker.js, so use the launcher pnpm links in node_modules/.bin.
const result = spawnSync(join(root, 'node_modules/.bin/stryker'), ['run', 'stryker.config.mjs', ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MUTATE_TARGET: name, ...(tests ? { MUTATE_TESTS: tests } : {}) },
});
process.exit(result.status ?? 1);
