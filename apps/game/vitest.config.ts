import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(shared, defineProject({
  test: {
    name: 'game',
    // These tests start the backend as a process (dist/main.js, built by `pnpm -r build`) and
    // Chromium; leave them room on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    expect: { poll: { timeout: 10_000 } },
  },
}));
