// Mutation-testing targets for `pnpm mutate <target>`: which source files Stryker mutates and
// which vitest project (and test files) must kill the mutants. One entry per folder, so a run
// stays bounded on a 2-core machine and its score maps to one folder in docs/testing.md.
export const TARGETS = {
  protocol: {
    mutate: ['packages/protocol/src/**/*.ts'],
    project: 'packages/protocol',
  },
  config: {
    mutate: ['apps/relay/src/config.ts'],
    project: 'apps/relay',
    include: ['test/config.test.ts', 'test/tcp-config.test.ts', 'test/docs-config.test.ts'],
  },
  client: {
    mutate: ['packages/client/src/**/*.ts'],
    project: 'packages/client',
    // The bundle-size budget fails on Stryker's instrumented sources (they are bigger) and tests no behaviour.
    exclude: ['test/size.test.ts'],
    // A mutant that stops a reply leaves a request waiting: fail it after 3 s (killed) instead of
    // waiting for Stryker's timeout and a runner restart.
    testTimeout: 3000,
  },
  // Phase 2: core and the transports (raw TCP in tcp/, WebSocket in uws/). The relay's tests wait
  // for frames, never timers, so a mutant that stops a frame hangs its test: `testTimeout` fails it
  // after 5 s (killed) instead of waiting for Stryker's timeout and a runner restart. `include`
  // names the tests that exercise the folder; the whole relay suite would cost minutes per mutant.
  // core.test.ts is left out: its 70,000-join test takes 3-8 s and covers nearly every mutant.
  core: {
    mutate: ['apps/relay/src/core/**/*.ts'],
    project: 'apps/relay',
    testTimeout: 5000,
    include: [
      'test/core-*.test.ts', 'test/throttle.test.ts', 'test/seats.test.ts', 'test/presence.test.ts',
      'test/limits.test.ts', 'test/rooms.test.ts', 'test/fanout.test.ts', 'test/routing.test.ts',
    ],
  },
  transports: {
    mutate: ['apps/relay/src/tcp/**/*.ts', 'apps/relay/src/uws/**/*.ts'],
    project: 'apps/relay',
    testTimeout: 5000,
    // Not the Python example tests (tcp-python*): 1-2 s each, and they test the examples.
    include: [
      'test/tcp.test.ts', 'test/tcp-coalesce.test.ts', 'test/tcp-config.test.ts', 'test/tcp-deadline.test.ts',
      'test/tcp-framing.test.ts', 'test/tcp-heartbeat.test.ts', 'test/tcp-policy.test.ts', 'test/tcp-sdk.test.ts',
      'test/tcp-slow.test.ts', 'test/tcp-flush-queue.test.ts', 'test/tcp-flash-policy-file.test.ts', 'test/ws-handshake.test.ts', 'test/limits.test.ts', 'test/routing.test.ts', 'test/http.test.ts',
    ],
  },
};
