// `pnpm stress`: the long hardening runs (SECURITY.md), not part of `pnpm test`. Each spawns the
// built relay as its own process, so its CPU can be read from /proc, and is bounded in time.
import '../../../vitest.node20.js';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../../vitest.shared.js';

export default mergeConfig(shared, defineConfig({
  test: {
    name: 'stress',
    root: new URL('.', import.meta.url).pathname,
    include: ['*.stress.ts'],
    testTimeout: 180_000,
    hookTimeout: 30_000,
    // One at a time: each measures the machine.
    fileParallelism: false,
  },
}));
