import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(shared, defineProject({
  test: {
    name: 'demo-client',
    // Builds the page once (into a temporary folder) for the browser tests.
    globalSetup: ['test/global-setup.ts'],
    // Browser tests start Chromium and a relay; leave them room on a busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits on the page (a presence round trip through the relay, a 250 ms debounce):
    // 1 s, vitest's default, is too short on a loaded machine; a poll still ends as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
  },
}));
